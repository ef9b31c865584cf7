using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Which part of the queue: signed drafts awaiting review, or decided ones.</summary>
public enum QueueView { Awaiting, Approved, Returned, AllSigned }
