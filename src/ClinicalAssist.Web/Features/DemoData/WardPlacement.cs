using System.ComponentModel.DataAnnotations;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Web.Features.DemoData;

internal sealed record WardPlacement(string Ward, int Bed, string FamilyName)
{
    public string Display => $"{Ward}, Bed {Bed}";
}
