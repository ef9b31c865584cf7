namespace ClinicalAssist.Web.Features.Context;

/// <summary>One problem of the clinical-knowledge table: the codes that name it and what bears on it. A condition is
/// this problem when one of its SNOMED CT codes matches, else when its ICD-10 code starts with one of the prefixes.</summary>
/// <param name="Name">A plain name for the problem kind (documentation and tests; the draft keeps the record's words).</param>
/// <param name="Snomed">SNOMED CT concept ids.</param>
/// <param name="Icd10">ICD-10(-CM) code prefixes, without dots ("I50" matches I50.23).</param>
/// <param name="Analytes">Results and vital signs that show how the problem is going, most telling first.</param>
/// <param name="RxNorm">RxNorm codes (ingredients and the clinical drugs the demo and Synthea records use) of the
/// medicines that treat it or were held because of it.</param>
public sealed record ProblemKnowledge(
    string Name,
    IReadOnlyList<string> Snomed,
    IReadOnlyList<string> Icd10,
    IReadOnlyList<Analyte> Analytes,
    IReadOnlyList<string> RxNorm);
