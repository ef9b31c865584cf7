using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>SQLite's EXPLAIN QUERY PLAN for a query as EF's ToQueryString() prints it (".param set" lines, then SQL).</summary>
public static class QueryPlan
{
    public static async Task<string> ExplainAsync(SqliteConnection connection, string efQueryString, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder();
        foreach (var line in efQueryString.Split('\n'))
        {
            if (line.StartsWith(".param set ", StringComparison.Ordinal))
            {
                var parts = line[".param set ".Length..].TrimEnd('\r').Split(' ', 2);
                command.Parameters.AddWithValue(parts[0], ParseLiteral(parts[1]));
            }
            else
            {
                sql.Append(line).Append('\n');
            }
        }
        command.CommandText = "EXPLAIN QUERY PLAN " + sql.ToString().Trim();

        // Rows are (id, parent, notused, detail); indent each step under its parent.
        var depth = new Dictionary<long, int> { [0] = -1 };
        var plan = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetInt64(0);
            var level = depth.GetValueOrDefault(reader.GetInt64(1), -1) + 1;
            depth[id] = level;
            plan.Append(new string(' ', level * 2)).Append(reader.GetString(3)).Append('\n');
        }
        return plan.ToString().TrimEnd();
    }

    private static object ParseLiteral(string literal)
    {
        if (literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\'') return literal[1..^1].Replace("''", "'", StringComparison.Ordinal);
        if (literal.Equals("NULL", StringComparison.OrdinalIgnoreCase)) return DBNull.Value;
        if (long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)) return real;
        throw new NotSupportedException($"Unexpected parameter literal in the query string: {literal}");
    }
}
