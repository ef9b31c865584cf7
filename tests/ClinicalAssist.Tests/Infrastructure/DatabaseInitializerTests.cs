using ClinicalAssist.Data;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed class DatabaseInitializerTests
{
    [Fact]
    public async Task A_draft_left_Generating_by_a_crash_is_Interrupted_after_restart_and_nothing_else_changes()
    {
        var data = Directory.CreateTempSubdirectory("clinicalassist-restart-").FullName;
        try
        {
            Guid generating = Guid.NewGuid(), signed = Guid.NewGuid();
            await using (var first = Factory(data))
            {
                await using var db = await first.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
                db.Drafts.AddRange(NewDraft(generating, DraftStatus.Generating, "half a sentence [L1"), NewDraft(signed, DraftStatus.Signed, "Signed text [L1]."));
                await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            }

            await using var second = Factory(data);
            await using var after = await second.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
            var interrupted = await after.Drafts.SingleAsync(d => d.Id == generating, TestContext.Current.CancellationToken);
            Assert.Equal(DraftStatus.Interrupted, interrupted.Status);
            Assert.Equal("half a sentence [L1", interrupted.GeneratedText);
            Assert.Contains("Generate again", interrupted.FailureMessage);
            Assert.Equal(DraftStatus.Signed, (await after.Drafts.SingleAsync(d => d.Id == signed, TestContext.Current.CancellationToken)).Status);
            Assert.Equal(3, await after.Users.CountAsync(TestContext.Current.CancellationToken)); // demo users seeded once, not twice
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Generated_demo_passwords_meet_the_password_policy_and_differ()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => DatabaseInitializer.GeneratePassword()).ToList();
        Assert.Equal(50, passwords.Distinct().Count());
        Assert.All(passwords, p =>
        {
            Assert.Equal(16, p.Length);
            Assert.Contains(p, char.IsLower);
            Assert.Contains(p, char.IsUpper);
            Assert.Contains(p, char.IsDigit);
            Assert.Contains(p, c => !char.IsLetterOrDigit(c));
        });
    }

    private static WebApplicationFactory<Program> Factory(string data)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:ClinicalAssist", $"Data Source={Path.Combine(data, "restart.db")}");
            b.UseSetting("DataProtection:KeysDirectory", Path.Combine(data, "keys"));
            b.UseSetting("DemoUsers:Password", "Restart-test-pass-1!");
        });
        _ = factory.Services; // start the host: runs the initializer
        return factory;
    }

    private static Draft NewDraft(Guid id, DraftStatus status, string text) => new()
    {
        Id = id, PatientId = "p1", PatientLabel = "Test Patient", RecordSource = "Demo", DrafterName = "Offline",
        ModelId = "offline-rules-v1", TemplateId = "clinical-summary", TemplateVersion = 1, Status = status,
        GeneratedText = text, CreatedById = "u1", CreatedByName = "Dr One",
        // Started a minute before the crash: older than a work lease, and no live instance holds one on it.
        CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
    };
}
