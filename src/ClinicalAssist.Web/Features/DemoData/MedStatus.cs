namespace ClinicalAssist.Web.Features.DemoData;

internal enum MedStatus { Active, Stopped, Completed }
