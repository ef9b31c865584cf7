using System.Linq.Expressions;
using ClinicalAssist.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>
/// Inserts drafts with one prepared INSERT reused for every row. The statement and the value encoding come from
/// EF's own model: the Drafts table's columns, and for each its RelationalTypeMapping (which creates and configures
/// the parameter, e.g. Guid as TEXT) and value converter (DateTimeOffsetToBinaryConverter, enum-to-string). So a
/// row is stored as SaveChanges would store it; <see cref="DraftSeeder"/> checks that byte for byte.
/// </summary>
public sealed class DraftBulkWriter : IDisposable
{
    private readonly SqliteCommand _insert;
    private readonly Column[] _columns;

    private sealed record Column(string Name, SqliteParameter Parameter, Func<Draft, object?> Read, ValueConverter? Converter);

    private DraftBulkWriter(SqliteCommand insert, Column[] columns)
    {
        _insert = insert;
        _columns = columns;
    }

    public static DraftBulkWriter Create(AppDbContext db, SqliteConnection connection, SqliteTransaction transaction)
    {
        var entityType = db.Model.FindEntityType(typeof(Draft)) ?? throw new InvalidOperationException("Draft is not in the model.");
        var table = db.Model.GetRelationalModel().Tables.Single(t => t.EntityTypeMappings.Any(m => m.TypeBase == entityType));

        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var columns = new List<Column>();
        foreach (var column in table.Columns)
        {
            var mapping = column.PropertyMappings.Single(m => m.TableMapping.TypeBase == entityType);
            var property = mapping.Property;
            var propertyInfo = property.PropertyInfo
                ?? throw new InvalidOperationException($"Draft.{property.Name} is a shadow property; the writer cannot read it.");
            var parameter = (SqliteParameter)mapping.TypeMapping.CreateParameter(command, $"@p{columns.Count}", value: null, column.IsNullable);
            command.Parameters.Add(parameter);
            columns.Add(new Column(column.Name, parameter, CompileGetter(propertyInfo), mapping.TypeMapping.Converter));
        }

        var sqlHelper = db.GetService<ISqlGenerationHelper>();
        command.CommandText =
            $"INSERT INTO {sqlHelper.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", columns.Select(c => sqlHelper.DelimitIdentifier(c.Name)))}) " +
            $"VALUES ({string.Join(", ", columns.Select(c => c.Parameter.ParameterName))})";
        command.Prepare();
        return new DraftBulkWriter(command, [.. columns]);
    }

    /// <summary>The store table's column names, in the order of the INSERT.</summary>
    public IReadOnlyList<string> ColumnNames => _columns.Select(c => c.Name).ToArray();

    public void Write(Draft draft)
    {
        foreach (var column in _columns)
        {
            var value = column.Read(draft);
            if (value is not null && column.Converter is not null) value = column.Converter.ConvertToProvider(value);
            column.Parameter.Value = value ?? DBNull.Value;
        }
        _insert.ExecuteNonQuery();
    }

    public void Dispose() => _insert.Dispose();

    private static Func<Draft, object?> CompileGetter(System.Reflection.PropertyInfo property)
    {
        var draft = Expression.Parameter(typeof(Draft), "draft");
        var body = Expression.Convert(Expression.Property(draft, property), typeof(object));
        return Expression.Lambda<Func<Draft, object?>>(body, draft).Compile();
    }
}
