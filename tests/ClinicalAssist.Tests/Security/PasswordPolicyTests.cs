using ClinicalAssist.Data;
using ClinicalAssist.Tests.Admin;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;

namespace ClinicalAssist.Tests.Security;

/// <summary>NIST SP 800-63B passwords, through the product's own Identity set-up (AddPasswordPolicy): long, no
/// composition rules, and never common, breached, repetitive, sequential or the account's own name.</summary>
public sealed class PasswordPolicyTests : IAsyncLifetime
{
    private AdminTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AdminTestHost.CreateAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private Task<IdentityResult> CreateAsync(string password) => _host.WithUserManagerAsync(users =>
    {
        var email = "ward.sister." + Guid.NewGuid().ToString("N")[..6] + "@hospital.example";
        return users.CreateAsync(new ApplicationUser { UserName = email, Email = email, DisplayName = "Grace Hopkins" }, password);
    });

    [Theory]
    [InlineData("Password123!", "PasswordTooShort")]
    [InlineData("Password1234567!", "CommonPassword")]
    [InlineData("P@ssw0rd2024!!!!", "CommonPassword")]
    [InlineData("iloveyou12345678", "CommonPassword")]
    [InlineData("qwertyuiop123456", "CommonPassword")]
    [InlineData("summer2024summer2024", "CommonPassword")]
    [InlineData("FootballFootballFootball", "CommonPassword")]
    [InlineData("aaaaaaaaaaaaaaaaaa", "PasswordRequiresUniqueChars")]
    [InlineData("abcdefghijklmnopqr", "RepetitivePassword")]
    [InlineData("1234567890123456", "RepetitivePassword")]
    [InlineData("98765432109876543", "RepetitivePassword")]
    [InlineData("Grace-on-night-shift", "PersonalPassword")]
    [InlineData("my ward sister pass 7", "PersonalPassword")]
    [InlineData("clinicalassist-2026-!", "PersonalPassword")]
    public async Task A_weak_password_is_refused_with_its_reason(string password, string code)
    {
        var result = await CreateAsync(password);
        Assert.False(result.Succeeded);
        Assert.Contains(code, result.Errors.Select(e => e.Code));
        Assert.All(result.Errors, e => Assert.DoesNotContain("Identity", e.Description, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("correct horse battery staple")]
    [InlineData("Dragonfly-Kettle-Window-9")]
    [InlineData("rounds before the first coffee")]
    [InlineData("ωμέγα κλινική πρωί 7")]
    [InlineData("lowercase only but very long passphrase")]
    public async Task A_long_passphrase_without_symbols_or_capitals_is_accepted(string password)
    {
        var result = await CreateAsync(password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    [Fact]
    public void The_shipped_list_is_the_full_list_and_the_generated_passwords_pass_it()
    {
        var list = new CommonPasswords();
        Assert.Equal(49_233, list.Count);
        Assert.True(list.Contains("password"));
        Assert.True(list.Contains("letmein"));
        for (var i = 0; i < 200; i++)
        {
            var generated = DatabaseInitializer.GeneratePassword();
            Assert.True(generated.Length >= PasswordPolicy.MinimumLength);
            Assert.DoesNotContain(CommonPasswordValidator.Candidates(generated.ToLowerInvariant()), c => c.Length >= 4 && list.Contains(c));
        }
    }
}
