using Microsoft.AspNetCore.Identity;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// The password rules, declared once (NIST SP 800-63B rev. 4, §3.1.1.2): passwords are the only factor here, so at
/// least 15 characters; no composition rules (a long passphrase beats "Password1!"); every character allowed, no upper
/// limit below 64; and refused when common, breached-list, repetitive or sequential, or built from the account's own
/// name (<see cref="CommonPasswordValidator"/>).
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 15;

    /// <summary>What every password field tells the person choosing one.</summary>
    public const string Description =
        "At least 15 characters. A passphrase of three or four unrelated words works well; common or breached passwords, " +
        "repeated or sequential characters and your own name or email are refused.";

    /// <summary>Applies the rules to Identity and adds the common-password check.</summary>
    public static IdentityBuilder AddPasswordPolicy(this IdentityBuilder identity)
    {
        identity.Services.Configure<IdentityOptions>(options =>
        {
            options.Password.RequiredLength = MinimumLength;
            options.Password.RequiredUniqueChars = 5;
            options.Password.RequireDigit = false;
            options.Password.RequireLowercase = false;
            options.Password.RequireUppercase = false;
            options.Password.RequireNonAlphanumeric = false;
        });
        identity.Services.AddSingleton<CommonPasswords>();
        identity.AddPasswordValidator<CommonPasswordValidator>();
        return identity;
    }
}
