using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class FhirWriteBack : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FhirWrites",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DraftId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    WrittenAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    DocumentReference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    ProvenanceReference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    DeviceReference = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    ChangedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FhirWrites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FhirWrites_Drafts_DraftId",
                        column: x => x.DraftId,
                        principalTable: "Drafts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FhirWrites_DraftId",
                table: "FhirWrites",
                column: "DraftId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FhirWrites_Status_NextAttemptAt",
                table: "FhirWrites",
                columns: new[] { "Status", "NextAttemptAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FhirWrites");
        }
    }
}
