using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>The transaction to send, and the fullUrls of the entries whose server ids are recorded.</summary>
public sealed record WriteBackBundle(Bundle Bundle, string DocumentFullUrl, string ProvenanceFullUrl, string DeviceFullUrl);
