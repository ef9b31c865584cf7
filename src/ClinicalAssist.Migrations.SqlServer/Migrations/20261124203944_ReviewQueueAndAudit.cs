using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicalAssist.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class ReviewQueueAndAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "WarningCount",
                table: "Drafts",
                type: "int",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_ClinicianDecisionById_Status_ClinicianDecisionAt_Id",
                table: "Drafts",
                columns: new[] { "ClinicianDecisionById", "Status", "ClinicianDecisionAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Drafts_Status_ClinicianDecisionAt_Id_ModelId_TemplateVersion_WarningCount",
                table: "Drafts",
                columns: new[] { "Status", "ClinicianDecisionAt", "Id", "ModelId", "TemplateVersion", "WarningCount" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Action_At",
                table: "AuditEvents",
                columns: new[] { "Action", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_UserId_At",
                table: "AuditEvents",
                columns: new[] { "UserId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Drafts_ClinicianDecisionById_Status_ClinicianDecisionAt_Id",
                table: "Drafts");

            migrationBuilder.DropIndex(
                name: "IX_Drafts_Status_ClinicianDecisionAt_Id_ModelId_TemplateVersion_WarningCount",
                table: "Drafts");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Action_At",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_UserId_At",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "WarningCount",
                table: "Drafts");
        }
    }
}
