using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ModelCards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ModelCards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ModelConfigurationId = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    ModelName = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Developer = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Contact = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    OutputType = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    OutputDescription = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ReleaseStage = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ModelVersion = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    EhrCompatibility = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    RegulatoryApproval = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Summary = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    IntendedUse = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    IntendedWorkflow = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    IntendedUsers = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    PatientPopulation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    DecisionRole = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    OutOfScopeUses = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    KnownRisks = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    KnownBiases = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ClinicalRiskLevel = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FoundationModels = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    TrainingDataCriteria = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    InputDataSources = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    DemographicInputs = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Representativeness = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessApproach = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ExternalValidation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UsefulnessGoal = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UsefulnessResult = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UsefulnessInterpretation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UsefulnessTestType = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UsefulnessTestData = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessGoal = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessResult = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessInterpretation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessTestType = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    FairnessTestData = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    SafetyGoal = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    SafetyResult = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    SafetyInterpretation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    SafetyTestType = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    SafetyTestData = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    LocalMonitoring = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    MonitoringFrequency = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UpdateSchedule = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Security = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    TransparencyInformation = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Resources = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Bibliography = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelCards", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelCards_ModelConfigurations_ModelConfigurationId",
                        column: x => x.ModelConfigurationId,
                        principalTable: "ModelConfigurations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ModelCards_ModelConfigurationId",
                table: "ModelCards",
                column: "ModelConfigurationId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelCards");
        }
    }
}
