using ClinicalAssist.Data;
using Microsoft.AspNetCore.Identity;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Refuses a password that is common or breached, or only dressed up as something else: the list is checked against
/// the password in lower case, with its leading and trailing digits and symbols removed ("Password1234567!" →
/// "password"), with look-alike characters read as letters ("P@ssw0rd" → "password"), and against the unit of a
/// repeated password ("summer2024summer2024"). Also refused: mostly repeated or sequential characters
/// ("aaaaaaaaaaaaaaa", "abcdefghijklmnop", "1234567890123456") and passwords containing the account's own email
/// name, display name parts or the product's name.
/// </summary>
public sealed class CommonPasswordValidator(CommonPasswords list) : IPasswordValidator<ApplicationUser>
{
    private const int ShortestListedWord = 4;

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (string.IsNullOrEmpty(password)) return Task.FromResult(IdentityResult.Success);
        var lower = password.ToLowerInvariant();
        if (Candidates(lower).Any(c => c.Length >= ShortestListedWord && list.Contains(c)))
        {
            return Fail("CommonPassword", "This password is on a list of common or breached passwords. Choose a passphrase of three or four unrelated words.");
        }
        if (IsRepetitiveOrSequential(lower))
        {
            return Fail("RepetitivePassword", "This password is mostly repeated or sequential characters. Choose a passphrase of three or four unrelated words.");
        }
        if (OwnWords(user).Any(w => lower.Contains(w, StringComparison.Ordinal)))
        {
            return Fail("PersonalPassword", "A password may not contain your name, your email or the product's name.");
        }
        return Task.FromResult(IdentityResult.Success);
    }

    private static Task<IdentityResult> Fail(string code, string description) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = code, Description = description }));

    /// <summary>The forms of the password that are looked up in the list.</summary>
    internal static IEnumerable<string> Candidates(string lower)
    {
        var forms = new List<string> { lower, Core(lower) };
        if (RepeatedUnit(lower) is { } unit)
        {
            forms.Add(unit);
            forms.Add(Core(unit));
        }
        foreach (var form in forms.ToArray())
        {
            var plain = Unleet(form);
            forms.Add(plain);
            forms.Add(Core(plain));
        }
        return forms.Distinct(StringComparer.Ordinal);
    }

    /// <summary>Without leading and trailing characters that are not letters.</summary>
    private static string Core(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && !char.IsLetter(s[start])) start++;
        while (end > start && !char.IsLetter(s[end - 1])) end--;
        return s[start..end];
    }

    private static string Unleet(string s) => string.Create(s.Length, s, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] switch
            {
                '@' or '4' => 'a',
                '0' => 'o',
                '1' or '!' or '|' => 'i',
                '3' => 'e',
                '5' or '$' => 's',
                '7' or '+' => 't',
                '8' => 'b',
                '9' => 'g',
                var c => c,
            };
        }
    });

    /// <summary>"abcabcabc" → "abc"; null when the password is not one unit repeated.</summary>
    private static string? RepeatedUnit(string s)
    {
        for (var length = 1; length <= s.Length / 2; length++)
        {
            if (s.Length % length != 0) continue;
            var unit = s[..length];
            if (string.Concat(Enumerable.Repeat(unit, s.Length / length)) == s) return unit;
        }
        return null;
    }

    /// <summary>True when at least four in five steps between neighbours repeat the character or move one up or
    /// down ("aaaa", "abcd", "4321", "7890" with the digits' wrap).</summary>
    internal static bool IsRepetitiveOrSequential(string lower)
    {
        if (lower.Length < 2) return true;
        var plain = 0;
        for (var i = 1; i < lower.Length; i++)
        {
            var step = lower[i] - lower[i - 1];
            if (step is 0 or 1 or -1 || (lower[i - 1], lower[i]) is ('9', '0') or ('0', '9')) plain++;
        }
        return plain * 5 >= (lower.Length - 1) * 4;
    }

    private static IEnumerable<string> OwnWords(ApplicationUser user)
    {
        yield return "clinicalassist";
        var names = new[] { user.Email?.Split('@')[0], user.UserName?.Split('@')[0], user.DisplayName };
        foreach (var part in names.Where(n => n is not null).SelectMany(n => n!.ToLowerInvariant().Split([' ', '.', '-', '_', '+', '@'], StringSplitOptions.RemoveEmptyEntries)))
        {
            if (part.Length >= ShortestListedWord) yield return part;
        }
    }
}
