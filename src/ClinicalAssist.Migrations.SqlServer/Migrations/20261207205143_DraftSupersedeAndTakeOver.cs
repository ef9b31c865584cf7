using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class DraftSupersedeAndTakeOver : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SupersededAt",
                table: "Drafts",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SupersededById",
                table: "Drafts",
                type: "uniqueidentifier",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TakenOverAt",
                table: "Drafts",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakenOverById",
                table: "Drafts",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakenOverByName",
                table: "Drafts",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SupersededAt",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "SupersededById",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "TakenOverAt",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "TakenOverById",
                table: "Drafts");

            migrationBuilder.DropColumn(
                name: "TakenOverByName",
                table: "Drafts");
        }
    }
}
