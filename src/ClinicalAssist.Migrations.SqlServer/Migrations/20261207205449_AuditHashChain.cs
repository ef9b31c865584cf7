using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class AuditHashChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Hash",
                table: "AuditEvents",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousHash",
                table: "AuditEvents",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PurgedThrough",
                table: "AuditEvents",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvents",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // Rows written before the chain keep their order: their sequence is their id (docs/adr/0024).
            // (EXEC: the idempotent script compiles each batch before the column exists.)
            migrationBuilder.Sql("EXEC(N'UPDATE [AuditEvents] SET [Sequence] = [Id];');");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_PurgedThrough",
                table: "AuditEvents",
                column: "PurgedThrough");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Sequence",
                table: "AuditEvents",
                column: "Sequence",
                unique: true);

            // The hardening docs/audit.md describes, as part of the schema (docs/adr/0024):
            // 1. a role for the application's database user that may not UPDATE audit rows (DELETE stays possible
            //    for the in-app retention purge, limited by the trigger below);
            migrationBuilder.Sql("IF DATABASE_PRINCIPAL_ID(N'clinicalassist_app') IS NULL EXEC(N'CREATE ROLE [clinicalassist_app];');");
            migrationBuilder.Sql("DENY UPDATE ON [AuditEvents] TO [clinicalassist_app];");
            // 2. triggers that refuse UPDATE from anyone, and DELETE of any row no retention checkpoint (a later
            //    audit.purged row whose PurgedThrough reaches it) has recorded.
            migrationBuilder.Sql("""
                EXEC(N'CREATE TRIGGER [AuditEvents_NoUpdate] ON [AuditEvents] INSTEAD OF UPDATE AS
                BEGIN
                    SET NOCOUNT ON;
                    THROW 51000, N''AuditEvents is append-only: audit rows cannot be changed.'', 1;
                END;');
                """);
            migrationBuilder.Sql("""
                EXEC(N'CREATE TRIGGER [AuditEvents_NoDelete] ON [AuditEvents] AFTER DELETE AS
                BEGIN
                    SET NOCOUNT ON;
                    IF EXISTS (SELECT 1 FROM deleted AS d
                               WHERE NOT EXISTS (SELECT 1 FROM [AuditEvents] AS c WHERE c.[PurgedThrough] >= d.[Sequence]))
                        THROW 51001, N''AuditEvents is append-only: rows are removed only by the retention purge, after its checkpoint.'', 1;
                END;');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS [AuditEvents_NoDelete];");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS [AuditEvents_NoUpdate];");
            migrationBuilder.Sql("REVOKE UPDATE ON [AuditEvents] TO [clinicalassist_app];");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_PurgedThrough",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "PreviousHash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "PurgedThrough",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "AuditEvents");
        }
    }
}
