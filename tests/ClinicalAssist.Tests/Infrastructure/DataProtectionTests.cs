using System.Security.Cryptography;
using ClinicalAssist.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>Scale-out: two app instances that share only the database read each other's protected payloads
/// (sign-in cookies, antiforgery tokens and protected values all use this key ring).</summary>
public sealed class DataProtectionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-dp-").FullName;

    public void Dispose() => AppFactory.DeleteDirectory(_data);

    [Fact]
    public async Task A_payload_protected_by_one_instance_is_read_by_another_that_shares_only_the_database()
    {
        // Different content roots' key folders would not help them: the key ring is in the database.
        await using var first = AppFactory.Create(_data, new Dictionary<string, string?> { ["DataProtection:KeysDirectory"] = Path.Combine(_data, "keys-a") });
        await using var second = AppFactory.Create(_data, new Dictionary<string, string?> { ["DataProtection:KeysDirectory"] = Path.Combine(_data, "keys-b") });

        var protectedByFirst = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("cookie payload");
        Assert.Equal("cookie payload", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByFirst));

        await using var db = await first.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var keys = await db.DataProtectionKeys.ToListAsync(TestContext.Current.CancellationToken);
        Assert.Single(keys);
        Assert.Contains("<key ", keys[0].Xml);
        Assert.False(Directory.Exists(Path.Combine(_data, "keys-a")), "no key written to the file system");
    }

    [Fact]
    public void With_separate_key_folders_instances_cannot_read_each_other_which_is_what_the_database_store_fixes()
    {
        using var first = AppFactory.Create(_data, new Dictionary<string, string?> { ["DataProtection:KeyStore"] = "Directory", ["DataProtection:KeysDirectory"] = Path.Combine(_data, "keys-a") });
        using var second = AppFactory.Create(_data, new Dictionary<string, string?> { ["DataProtection:KeyStore"] = "Directory", ["DataProtection:KeysDirectory"] = Path.Combine(_data, "keys-b") });

        var protectedByFirst = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("cookie payload");
        Assert.ThrowsAny<CryptographicException>(() => second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByFirst));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_data, "keys-a"), "key-*.xml"));
    }

    [Fact]
    public void An_unknown_key_store_stops_the_app_with_a_clear_message()
    {
        using var factory = AppFactory.Create(_data, new Dictionary<string, string?> { ["DataProtection:KeyStore"] = "Redis" });
        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        Assert.Contains("DataProtection:KeyStore must be Database or Directory", error.ToString());
    }
}
