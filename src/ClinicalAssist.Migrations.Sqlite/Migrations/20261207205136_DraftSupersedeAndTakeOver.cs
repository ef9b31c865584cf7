using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DraftSupersedeAndTakeOver : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "SupersededAt",
                table: "Drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SupersededById",
                table: "Drafts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TakenOverAt",
                table: "Drafts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakenOverById",
                table: "Drafts",
                type: "TEXT",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakenOverByName",
                table: "Drafts",
                type: "TEXT",
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
