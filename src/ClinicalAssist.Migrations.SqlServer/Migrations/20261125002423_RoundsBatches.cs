using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class RoundsBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RoundsBatches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ClinicianId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    ClinicianName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Status = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoundsBatches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RoundsListEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ClinicianId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    PatientId = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    Included = table.Column<bool>(type: "bit", nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoundsListEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RoundsBatchItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    BatchId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Position = table.Column<int>(type: "int", nullable: false),
                    PatientId = table.Column<string>(type: "nvarchar(128)", maxLength: 128, nullable: false),
                    Status = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "int", nullable: false),
                    DraftId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    RecordFingerprint = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: true),
                    Message = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoundsBatchItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RoundsBatchItems_RoundsBatches_BatchId",
                        column: x => x.BatchId,
                        principalTable: "RoundsBatches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RoundsBatches_ClinicianId_CreatedAt",
                table: "RoundsBatches",
                columns: new[] { "ClinicianId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoundsBatches_Status",
                table: "RoundsBatches",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_RoundsBatchItems_BatchId_Position",
                table: "RoundsBatchItems",
                columns: new[] { "BatchId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_RoundsBatchItems_PatientId_FinishedAt",
                table: "RoundsBatchItems",
                columns: new[] { "PatientId", "FinishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_RoundsListEntries_ClinicianId_PatientId",
                table: "RoundsListEntries",
                columns: new[] { "ClinicianId", "PatientId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RoundsBatchItems");

            migrationBuilder.DropTable(
                name: "RoundsListEntries");

            migrationBuilder.DropTable(
                name: "RoundsBatches");
        }
    }
}
