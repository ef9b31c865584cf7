using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.Sqlite.Migrations
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
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "FailureRetryable",
                table: "Drafts",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "OmittedJson",
                table: "Drafts",
                type: "TEXT",
                maxLength: 2000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PromptContextSnapshot",
                table: "Drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PromptHash",
                table: "Drafts",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PromptSettingsJson",
                table: "Drafts",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "PromptTokensCounted",
                table: "Drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RawAnswer",
                table: "Drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VerificationJson",
                table: "Drafts",
                type: "TEXT",
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
