using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A draft line: heading, bullet, indented bullet (a problem's evidence and plan), or paragraph.</summary>
public enum DraftLineKind { Heading, Bullet, Paragraph, SubBullet }
