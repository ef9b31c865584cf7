using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ValidationSetsRunsAndGate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ActivationRequests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Target = table.Column<string>(type: "nvarchar(30)", maxLength: 30, nullable: false),
                    TargetId = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    TemplateVersion = table.Column<int>(type: "int", nullable: true),
                    TargetLabel = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    RunId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    GatePassed = table.Column<bool>(type: "bit", nullable: false),
                    GateSummary = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: false),
                    OverrideReason = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    RequestedById = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    RequestedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    RequestedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    DecidedById = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    DecidedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ActivationRequests", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationSets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    CreatedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    FrozenAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    FrozenByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationSets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationCases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    SetId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Position = table.Column<int>(type: "int", nullable: false),
                    Source = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    SourceDraftId = table.Column<Guid>(type: "uniqueidentifier", nullable: true),
                    AgeBand = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Sex = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Service = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    ContextSnapshot = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    CitationsJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ReferenceText = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    MustIncludeJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    InjectionExcerptsJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    Included = table.Column<bool>(type: "bit", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationCases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationCases_EvaluationSets_SetId",
                        column: x => x.SetId,
                        principalTable: "EvaluationSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    SetId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ModelConfigurationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ModelConfigurationName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    ModelConfigurationVersion = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TemplateId = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    TemplateVersion = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Judge = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    CaseCount = table.Column<int>(type: "int", nullable: false),
                    StartedById = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    StartedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationRuns_EvaluationSets_SetId",
                        column: x => x.SetId,
                        principalTable: "EvaluationSets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "EvaluationResults",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    RunId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    CaseId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Succeeded = table.Column<bool>(type: "bit", nullable: false),
                    Failure = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    AnswerText = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    Structured = table.Column<bool>(type: "bit", nullable: false),
                    CitedStatements = table.Column<int>(type: "int", nullable: false),
                    ValidCitedStatements = table.Column<int>(type: "int", nullable: false),
                    UnknownKeys = table.Column<int>(type: "int", nullable: false),
                    UncitedStatements = table.Column<int>(type: "int", nullable: false),
                    NumberMismatches = table.Column<int>(type: "int", nullable: false),
                    MustIncludeDeclared = table.Column<int>(type: "int", nullable: false),
                    MustIncludeCovered = table.Column<int>(type: "int", nullable: false),
                    InjectionFollowed = table.Column<bool>(type: "bit", nullable: true),
                    Words = table.Column<int>(type: "int", nullable: false),
                    LatencyMs = table.Column<int>(type: "int", nullable: false),
                    PromptTokens = table.Column<int>(type: "int", nullable: true),
                    CompletionTokens = table.Column<int>(type: "int", nullable: true),
                    EditDistance = table.Column<double>(type: "float", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EvaluationResults", x => x.Id);
                    table.ForeignKey(
                        name: "FK_EvaluationResults_EvaluationCases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "EvaluationCases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_EvaluationResults_EvaluationRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "EvaluationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ActivationRequests_Status_RequestedAt",
                table: "ActivationRequests",
                columns: new[] { "Status", "RequestedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationCases_SetId_Position",
                table: "EvaluationCases",
                columns: new[] { "SetId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationResults_CaseId",
                table: "EvaluationResults",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationResults_RunId_CaseId",
                table: "EvaluationResults",
                columns: new[] { "RunId", "CaseId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_SetId_ModelConfigurationId_CreatedAt",
                table: "EvaluationRuns",
                columns: new[] { "SetId", "ModelConfigurationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationRuns_Status",
                table: "EvaluationRuns",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_EvaluationSets_Name_Version",
                table: "EvaluationSets",
                columns: new[] { "Name", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ActivationRequests");

            migrationBuilder.DropTable(
                name: "EvaluationResults");

            migrationBuilder.DropTable(
                name: "EvaluationCases");

            migrationBuilder.DropTable(
                name: "EvaluationRuns");

            migrationBuilder.DropTable(
                name: "EvaluationSets");
        }
    }
}
