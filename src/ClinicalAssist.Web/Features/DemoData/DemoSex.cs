namespace ClinicalAssist.Web.Features.DemoData;

internal enum DemoSex { Any, Female, Male }
