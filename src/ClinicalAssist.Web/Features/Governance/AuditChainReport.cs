using System.Globalization;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>The verifier's result. <see cref="HeadHash"/> is the chain's last hash (keep it elsewhere to detect a
/// later rewrite of the whole chain, docs/audit.md).</summary>
public sealed record AuditChainReport(long RowsChecked, long? FirstSequence, long? HeadSequence, string? HeadHash, AuditChainBreak? Break, TimeSpan Elapsed)
{
    public bool Intact => Break is null;

    /// <summary>One line, for the admin page and the command.</summary>
    public string Summary => Break is { } b
        ? string.Create(CultureInfo.InvariantCulture,
            $"Audit chain BROKEN at sequence {b.Sequence} (row id {b.Id}): {b.Kind.ToString().ToLowerInvariant()} — {b.Message} {RowsChecked:N0} row(s) before it are intact.")
        : RowsChecked == 0
            ? "Audit chain intact: no audit rows yet."
            : string.Create(CultureInfo.InvariantCulture,
                $"Audit chain intact: {RowsChecked:N0} row(s), sequence {FirstSequence}–{HeadSequence}, head {HeadHash} (checked in {Elapsed.TotalSeconds:0.00} s).");
}
