using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ModelConfigurationsAndTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CompletionTokens",
                table: "Drafts",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ModelConfigurationId",
                table: "Drafts",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ModelConfigurationName",
                table: "Drafts",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MustIncludeOmissionCount",
                table: "Drafts",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "PromptTokens",
                table: "Drafts",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReportedModelId",
                table: "Drafts",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ModelConfigurations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Provider = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    Endpoint = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    Deployment = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    AuthMode = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    ProtectedApiKey = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ApiKeyConfigurationKey = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    EntraIdScope = table.Column<string>(type: "nvarchar(400)", maxLength: 400, nullable: true),
                    Temperature = table.Column<float>(type: "real", nullable: false),
                    MaxTokens = table.Column<int>(type: "int", nullable: false),
                    TopP = table.Column<float>(type: "real", nullable: true),
                    Seed = table.Column<long>(type: "bigint", nullable: true),
                    TokenBudget = table.Column<int>(type: "int", nullable: false),
                    Tokenizer = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    TimeoutSeconds = table.Column<int>(type: "int", nullable: false),
                    MaxRetries = table.Column<int>(type: "int", nullable: false),
                    IsActive = table.Column<bool>(type: "bit", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    CreatedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelConfigurations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PromptTemplateVersions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uniqueidentifier", nullable: false),
                    TemplateId = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    Body = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ContentHash = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    ChangeNote = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    IsActive = table.Column<bool>(type: "bit", nullable: false),
                    AuthorId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    AuthorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PromptTemplateVersions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ModelConfigurations_Name",
                table: "ModelConfigurations",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PromptTemplateVersions_TemplateId_Version",
                table: "PromptTemplateVersions",
                columns: new[] { "TemplateId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelConfigurations");

            migrationBuilder.DropTable(
                name: "PromptTemplateVersions");

            migrationBuilder.DropColumn(
                name: "CompletionTokens",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "ModelConfigurationId",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "ModelConfigurationName",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "MustIncludeOmissionCount",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PromptTokens",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "ReportedModelId",
                table: "Drafts");
        }
    }
}
