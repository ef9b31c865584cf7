using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DraftReproducibilityAndVerification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "AnswerStructured",
                table: "Drafts",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "FailureRetryable",
                table: "Drafts",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "OmittedJson",
                table: "Drafts",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PromptContextSnapshot",
                table: "Drafts",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PromptHash",
                table: "Drafts",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PromptSettingsJson",
                table: "Drafts",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PromptTokensCounted",
                table: "Drafts",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RawAnswer",
                table: "Drafts",
                type: "nvarchar(max)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VerificationJson",
                table: "Drafts",
                type: "nvarchar(max)",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AnswerStructured",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "FailureRetryable",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "OmittedJson",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PromptContextSnapshot",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PromptHash",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PromptSettingsJson",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "PromptTokensCounted",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "RawAnswer",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "VerificationJson",
                table: "Drafts");
        }
    }
}
