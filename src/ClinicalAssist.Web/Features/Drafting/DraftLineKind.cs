using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

public enum DraftLineKind { Heading, Bullet, Paragraph }
