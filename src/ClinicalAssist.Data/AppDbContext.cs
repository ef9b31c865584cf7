using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Data;

public class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core Data Protection key ring, shared by every instance (cookies, antiforgery, protected values).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Draft> Drafts => Set<Draft>();
    public DbSet<ReviewDecision> ReviewDecisions => Set<ReviewDecision>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ModelConfiguration> ModelConfigurations => Set<ModelConfiguration>();
    public DbSet<PromptTemplateVersion> PromptTemplateVersions => Set<PromptTemplateVersion>();
    public DbSet<FhirWrite> FhirWrites => Set<FhirWrite>();
    public DbSet<SignInSession> SignInSessions => Set<SignInSession>();
    public DbSet<WorkLease> WorkLeases => Set<WorkLease>();
    public DbSet<SignInThrottleEntry> SignInThrottle => Set<SignInThrottleEntry>();
    /// <summary>Clinicians' unsigned edits of drafts, saved as they type (bedside: never lose an edit).</summary>
    public DbSet<DraftEdit> DraftEdits => Set<DraftEdit>();

    // --- Model cards (admin / governance) ---
    public DbSet<ModelCard> ModelCards => Set<ModelCard>();

    // --- Rounds (census list, prepared drafts) ---
    public DbSet<RoundsListEntry> RoundsListEntries => Set<RoundsListEntry>();
    public DbSet<RoundsBatch> RoundsBatches => Set<RoundsBatch>();
    public DbSet<RoundsBatchItem> RoundsBatchItems => Set<RoundsBatchItem>();

    // --- Local validation (evaluation sets and runs, activation gate) ---
    public DbSet<EvaluationSet> EvaluationSets => Set<EvaluationSet>();
    public DbSet<EvaluationCase> EvaluationCases => Set<EvaluationCase>();
    public DbSet<EvaluationRun> EvaluationRuns => Set<EvaluationRun>();
    public DbSet<EvaluationResult> EvaluationResults => Set<EvaluationResult>();
    public DbSet<ActivationRequest> ActivationRequests => Set<ActivationRequest>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RenewConcurrencyTokens();
        if (ChangeTracker.Entries<AuditEvent>().Any(e => e.State == EntityState.Added))
        {
            throw new InvalidOperationException("Audit events are written with SaveChangesAsync (they are sealed into the audit chain).");
        }
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>Saves; new audit events are first sealed into the hash chain (<see cref="AuditChain"/>) in the same
    /// transaction — the caller's, or one begun here (inside the provider's execution strategy) when there is none.</summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RenewConcurrencyTokens();
        if (!ChangeTracker.Entries<AuditEvent>().Any(e => e.State == EntityState.Added))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        if (Database.CurrentTransaction is not null || Database.AutoTransactionBehavior == AutoTransactionBehavior.Never)
        {
            await AuditChain.SealAsync(this, cancellationToken);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        var saved = await Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so this transaction is the one writer from here on.
            await using var transaction = await Database.BeginTransactionAsync(ct);
            await AuditChain.SealAsync(this, ct);
            var count = await base.SaveChangesAsync(acceptAllChangesOnSuccess: false, ct);
            await transaction.CommitAsync(ct);
            return count;
        }, cancellationToken);
        if (acceptAllChangesOnSuccess) ChangeTracker.AcceptAllChanges();
        return saved;
    }

    private const string ConcurrencyTokenName = "Version";

    /// <summary>Every insert or update of a versioned entity gets a new token; a writer holding the old one gets
    /// DbUpdateConcurrencyException instead of silently overwriting another user's decision.</summary>
    private void RenewConcurrencyTokens()
    {
        // The audit trail is append-only: the product never updates or deletes an event (retention purges go
        // through AuditRetention, which deletes in the database outside the change tracker, and is off by default).
        foreach (var entry in ChangeTracker.Entries<AuditEvent>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                throw new InvalidOperationException("Audit events are append-only: they cannot be changed or deleted.");
            }
        }

        // Every entity with a Guid "Version" concurrency token (drafts, FHIR writes, model configurations, model cards)
        // gets a new token on each insert or update.
        foreach (var entry in ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified
                && entry.Metadata.FindProperty(ConcurrencyTokenName) is { IsConcurrencyToken: true } token
                && token.ClrType == typeof(Guid))
            {
                entry.Property(token).CurrentValue = Guid.NewGuid();
            }
        }

        // Template versions are immutable: a change is a new version.
        foreach (var entry in ChangeTracker.Entries<PromptTemplateVersion>())
        {
            if (entry.State is EntityState.Modified
                && entry.Properties.Any(p => p.IsModified && p.Metadata.Name != nameof(PromptTemplateVersion.IsActive)))
            {
                throw new InvalidOperationException("Prompt template versions are immutable: add a new version instead.");
            }
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<ApplicationUser>(u => u.Property(x => x.DisplayName).HasMaxLength(200));

        builder.Entity<Draft>(d =>
        {
            d.HasKey(x => x.Id);
            d.Property(x => x.PatientId).HasMaxLength(128);
            d.Property(x => x.PatientLabel).HasMaxLength(256);
            d.Property(x => x.EncounterId).HasMaxLength(128);
            d.Property(x => x.RecordSource).HasMaxLength(32);
            d.Property(x => x.ContextHash).HasMaxLength(64);
            d.Property(x => x.DrafterName).HasMaxLength(200);
            d.Property(x => x.ModelId).HasMaxLength(200);
            d.Property(x => x.TemplateId).HasMaxLength(100);
            d.Property(x => x.ModelConfigurationName).HasMaxLength(200);
            d.Property(x => x.ReportedModelId).HasMaxLength(200);
            d.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            d.Property(x => x.FailureMessage).HasMaxLength(1000);
            d.Property(x => x.CreatedById).HasMaxLength(450);
            d.Property(x => x.CreatedByName).HasMaxLength(200);
            d.Property(x => x.ClinicianDecisionById).HasMaxLength(450);
            d.Property(x => x.ClinicianDecisionByName).HasMaxLength(200);
            d.Property(x => x.RejectionReason).HasMaxLength(50);
            d.Property(x => x.RejectionComment).HasMaxLength(2000);
            d.Property(x => x.Version).IsConcurrencyToken();
            d.HasIndex(x => new { x.PatientId, x.CreatedAt });
            d.HasIndex(x => new { x.Status, x.CreatedAt });
            // Review queue: keyset paging by (decision time, id) within a status. The trailing columns let the model /
            // template / warnings filters be checked in the index instead of reading each row (measured at 1M drafts:
            // 33 ms → 2 ms p50); the per-clinician index ends in Id so SQLite need not sort the range.
            d.HasIndex(x => new { x.Status, x.ClinicianDecisionAt, x.Id, x.ModelId, x.TemplateVersion, x.WarningCount });
            d.HasIndex(x => new { x.ClinicianDecisionById, x.Status, x.ClinicianDecisionAt, x.Id });
            d.HasOne(x => x.Review).WithOne(r => r.Draft).HasForeignKey<ReviewDecision>(r => r.DraftId);
            // Drafting: reproducibility and verification
            d.Property(x => x.PromptHash).HasMaxLength(64);
            d.Property(x => x.PromptSettingsJson).HasMaxLength(1000);
            d.Property(x => x.OmittedJson).HasMaxLength(2000);
            // One current draft per patient and clinician
            d.Property(x => x.TakenOverById).HasMaxLength(450);
            d.Property(x => x.TakenOverByName).HasMaxLength(200);
            d.Ignore(x => x.OwnerId);
            d.Ignore(x => x.OwnerName);
        });

        builder.Entity<ReviewDecision>(r =>
        {
            r.HasKey(x => x.Id);
            r.HasIndex(x => x.DraftId).IsUnique();
            r.Property(x => x.ReasonCode).HasMaxLength(50);
            r.Property(x => x.Comment).HasMaxLength(2000);
            r.Property(x => x.ReviewerId).HasMaxLength(450);
            r.Property(x => x.ReviewerName).HasMaxLength(200);
        });

        builder.Entity<ModelConfiguration>(m =>
        {
            m.HasKey(x => x.Id);
            m.Property(x => x.Name).HasMaxLength(200);
            m.HasIndex(x => x.Name).IsUnique();
            m.Property(x => x.Provider).HasConversion<string>().HasMaxLength(32);
            m.Property(x => x.AuthMode).HasConversion<string>().HasMaxLength(32);
            m.Property(x => x.Endpoint).HasMaxLength(2000);
            m.Property(x => x.Deployment).HasMaxLength(200);
            m.Property(x => x.ProtectedApiKey).HasMaxLength(4000);
            m.Property(x => x.ApiKeyConfigurationKey).HasMaxLength(200);
            m.Property(x => x.EntraIdScope).HasMaxLength(400);
            m.Property(x => x.Tokenizer).HasMaxLength(64);
            m.Property(x => x.CreatedByName).HasMaxLength(200);
            m.Property(x => x.UpdatedByName).HasMaxLength(200);
            m.Property(x => x.Version).IsConcurrencyToken();
        });

        builder.Entity<PromptTemplateVersion>(t =>
        {
            t.HasKey(x => x.Id);
            t.Property(x => x.TemplateId).HasMaxLength(100);
            t.HasIndex(x => new { x.TemplateId, x.Version }).IsUnique();
            t.Property(x => x.ContentHash).HasMaxLength(64);
            t.Property(x => x.ChangeNote).HasMaxLength(1000);
            t.Property(x => x.AuthorId).HasMaxLength(450);
            t.Property(x => x.AuthorName).HasMaxLength(200);
        });

        // --- Quality metrics (admin): the dashboard reads drafts by creation time over a period ---
        builder.Entity<Draft>().HasIndex(x => x.CreatedAt).HasDatabaseName("IX_Drafts_CreatedAt_Quality");

        // --- Model cards (admin / governance): one per model configuration, removed with it ---
        builder.Entity<ModelCard>(c =>
        {
            c.HasKey(x => x.Id);
            c.HasIndex(x => x.ModelConfigurationId).IsUnique();
            c.HasOne(x => x.ModelConfiguration).WithOne().HasForeignKey<ModelCard>(x => x.ModelConfigurationId).OnDelete(DeleteBehavior.Cascade);
            foreach (var property in c.Metadata.GetProperties().Where(p => p.ClrType == typeof(string)))
            {
                property.SetMaxLength(property.Name == nameof(ModelCard.UpdatedByName) ? 200 : 4000);
            }
            c.Property(x => x.Version).IsConcurrencyToken();
        });

        builder.Entity<FhirWrite>(w =>
        {
            w.HasKey(x => x.Id);
            w.HasIndex(x => x.DraftId).IsUnique();
            w.HasOne(x => x.Draft).WithOne().HasForeignKey<FhirWrite>(x => x.DraftId);
            w.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            w.HasIndex(x => new { x.Status, x.NextAttemptAt });
            w.Property(x => x.LastError).HasMaxLength(2000);
            w.Property(x => x.DocumentReference).HasMaxLength(300);
            w.Property(x => x.ProvenanceReference).HasMaxLength(300);
            w.Property(x => x.DeviceReference).HasMaxLength(300);
            w.Property(x => x.ChangedByName).HasMaxLength(200);
            w.Property(x => x.Version).IsConcurrencyToken();
        });

        // --- Rounds (census list, prepared drafts) ---
        builder.Entity<RoundsListEntry>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.ClinicianId).HasMaxLength(450);
            e.Property(x => x.PatientId).HasMaxLength(128);
            e.HasIndex(x => new { x.ClinicianId, x.PatientId }).IsUnique();
        });
        builder.Entity<RoundsBatch>(b =>
        {
            b.HasKey(x => x.Id);
            b.Property(x => x.ClinicianId).HasMaxLength(450);
            b.Property(x => x.ClinicianName).HasMaxLength(200);
            b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            b.HasIndex(x => new { x.ClinicianId, x.CreatedAt });
            b.HasIndex(x => x.Status);
            b.HasMany(x => x.Items).WithOne(i => i.Batch).HasForeignKey(i => i.BatchId).OnDelete(DeleteBehavior.Cascade);
            b.Property(x => x.Version).IsConcurrencyToken();
        });
        builder.Entity<RoundsBatchItem>(i =>
        {
            i.HasKey(x => x.Id);
            i.Property(x => x.PatientId).HasMaxLength(128);
            i.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            i.Property(x => x.RecordFingerprint).HasMaxLength(64);
            i.Property(x => x.Message).HasMaxLength(1000);
            i.HasIndex(x => new { x.BatchId, x.Position });
            i.HasIndex(x => new { x.PatientId, x.FinishedAt });
        });

        // --- Local validation ---
        builder.Entity<EvaluationSet>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.CreatedByName).HasMaxLength(200);
            e.Property(x => x.FrozenByName).HasMaxLength(200);
            e.HasIndex(x => new { x.Name, x.Version }).IsUnique();
            e.HasMany(x => x.Cases).WithOne(c => c.Set).HasForeignKey(c => c.SetId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<EvaluationCase>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Source).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.AgeBand).HasMaxLength(20);
            e.Property(x => x.Sex).HasMaxLength(20);
            e.Property(x => x.Service).HasMaxLength(100);
            e.HasIndex(x => new { x.SetId, x.Position });
        });
        builder.Entity<EvaluationRun>(e =>
        {
            e.HasKey(x => x.Id);
            e.HasOne(x => x.Set).WithMany().HasForeignKey(x => x.SetId).OnDelete(DeleteBehavior.Restrict);
            e.Property(x => x.ModelConfigurationName).HasMaxLength(200);
            e.Property(x => x.TemplateId).HasMaxLength(100);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.Judge).HasMaxLength(200);
            e.Property(x => x.StartedById).HasMaxLength(450);
            e.Property(x => x.StartedByName).HasMaxLength(200);
            e.HasIndex(x => x.Status);
            e.HasIndex(x => new { x.SetId, x.ModelConfigurationId, x.CreatedAt });
            e.Property(x => x.Version).IsConcurrencyToken();
        });
        builder.Entity<EvaluationResult>(e =>
        {
            e.HasKey(x => x.Id);
            // One result per run and case: the database refuses a second, so no case is counted twice.
            e.HasIndex(x => new { x.RunId, x.CaseId }).IsUnique();
            e.HasOne<EvaluationRun>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<EvaluationCase>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
            e.Property(x => x.Failure).HasMaxLength(1000);
        });
        builder.Entity<ActivationRequest>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.Target).HasConversion<string>().HasMaxLength(30);
            e.Property(x => x.TargetId).HasMaxLength(100);
            e.Property(x => x.TargetLabel).HasMaxLength(300);
            e.Property(x => x.GateSummary).HasMaxLength(2000);
            e.Property(x => x.OverrideReason).HasMaxLength(2000);
            e.Property(x => x.RequestedById).HasMaxLength(450);
            e.Property(x => x.RequestedByName).HasMaxLength(200);
            e.Property(x => x.DecidedById).HasMaxLength(450);
            e.Property(x => x.DecidedByName).HasMaxLength(200);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(x => new { x.Status, x.RequestedAt });
            e.Property(x => x.Version).IsConcurrencyToken();
        });

        builder.Entity<AuditEvent>(a =>
        {
            a.HasKey(x => x.Id);
            a.Property(x => x.Action).HasMaxLength(64);
            a.Property(x => x.UserId).HasMaxLength(450);
            a.Property(x => x.UserName).HasMaxLength(200);
            a.Property(x => x.PatientId).HasMaxLength(128);
            a.Property(x => x.Outcome).HasMaxLength(32);
            a.Property(x => x.Details).HasMaxLength(4000);
            // Hash chain (docs/adr/0024): one row per sequence; the triggers refuse changes (the migrations create them).
            a.Property(x => x.PreviousHash).HasMaxLength(64);
            a.Property(x => x.Hash).HasMaxLength(64);
            a.HasIndex(x => x.Sequence).IsUnique();
            a.HasIndex(x => x.PurgedThrough);
            a.ToTable(t =>
            {
                t.HasTrigger(AuditChain.NoUpdateTrigger);
                t.HasTrigger(AuditChain.NoDeleteTrigger);
            });
            a.HasIndex(x => x.At);
            a.HasIndex(x => new { x.PatientId, x.At });
            a.HasIndex(x => new { x.UserId, x.At });
            a.HasIndex(x => new { x.Action, x.At });
        });

        builder.Entity<SignInThrottleEntry>(t =>
        {
            t.HasKey(x => x.Key);
            t.Property(x => x.Key).HasMaxLength(64);
            t.Property(x => x.Version).IsConcurrencyToken();
            t.HasIndex(x => x.WindowStartedAt);
        });

        builder.Entity<WorkLease>(l =>
        {
            l.HasKey(x => new { x.Kind, x.WorkId });
            l.Property(x => x.Kind).HasMaxLength(32);
            l.Property(x => x.WorkId).HasMaxLength(64);
            l.Property(x => x.Owner).HasMaxLength(100);
            l.HasIndex(x => x.Owner);
        });

        // Bedside: a clinician's unsigned edit of a draft, one per draft and clinician, gone with the draft.
        builder.Entity<DraftEdit>(e =>
        {
            e.HasKey(x => x.Id);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.HasIndex(x => new { x.DraftId, x.UserId }).IsUnique();
            e.HasOne<Draft>().WithMany().HasForeignKey(x => x.DraftId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<SignInSession>(s =>
        {
            s.HasKey(x => x.Id);
            s.Property(x => x.Id).HasMaxLength(32);
            s.Property(x => x.UserId).HasMaxLength(450);
            s.Property(x => x.EndReason).HasMaxLength(100);
            s.HasIndex(x => new { x.UserId, x.EndedAt });
        });

        // SQLite cannot order or compare DateTimeOffset natively: store it as UTC ticks there (sortable, exact).
        if (Database.IsSqlite())
        {
            foreach (var entity in builder.Model.GetEntityTypes())
            {
                foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }
}
