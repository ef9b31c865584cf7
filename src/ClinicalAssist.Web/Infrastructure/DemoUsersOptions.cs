using System.ComponentModel.DataAnnotations;
using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "DemoUsers": seeded only for the embedded SQLite default.</summary>
public sealed class DemoUsersOptions
{
    public const string Section = "DemoUsers";

    public bool Enabled { get; set; } = true;

    /// <summary>Password for all demo users (tests set it). When empty, a strong one is generated per user at
    /// first start and printed once to the console — never to the log.</summary>
    [MinLength(PasswordPolicy.MinimumLength)]
    public string? Password { get; set; }
}
