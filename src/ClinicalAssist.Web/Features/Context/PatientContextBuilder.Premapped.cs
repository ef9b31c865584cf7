using System.Collections.Concurrent;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed partial class PatientContextBuilder
{
    /// <summary>
    /// Items of a record mapped while the rest of it is still loading. The Server source hands each completed search
    /// to <see cref="Add"/>, so the mapping of those resources runs on a core that would otherwise wait for the last
    /// answer, while the freshly parsed resources are still in the cache; <see cref="Build"/> then takes the items
    /// instead of mapping again.
    /// </summary>
    /// <remarks>
    /// Only self-contained resources are mapped ahead: each item comes from its resource, the patient id and the note
    /// length alone (conditions, allergies, observations, procedures, reports, immunizations, care plans, goals,
    /// medications named by code, notes with inline text). Encounters, medications that point at a Medication
    /// resource and notes whose text is in a Binary read other resources of the record and are mapped in
    /// <see cref="Build"/>. Outcomes are
    /// kept per resource instance, including "skipped" and "unusable, with this exception", so the context is the same
    /// as without mapping ahead; the resources must not change after <see cref="Add"/> (no source changes a resource
    /// once read). Build ignores the items when the record's patient or the note length is not the one they were
    /// mapped for.
    /// </remarks>
    internal sealed class Premapped(string patientId, int maxNoteCharacters)
    {
        private readonly ConcurrentDictionary<Resource, (object? Item, string? Failure)> _items = new(ReferenceEqualityComparer.Instance);

        public string PatientId { get; } = patientId;

        public int MaxNoteCharacters { get; } = maxNoteCharacters;

        /// <summary>How many resources have an outcome (for tests and diagnostics).</summary>
        public int Count => _items.Count;

        /// <summary>Maps the self-contained resources among <paramref name="resources"/>; others are left for Build.</summary>
        public void Add(IEnumerable<Resource> resources)
        {
            var mapping = Mapping.ForSelfContained(PatientId, MaxNoteCharacters);
            foreach (var resource in resources)
            {
                try
                {
                    var item = mapping.MapSelfContained(resource, out var selfContained);
                    if (selfContained)
                    {
                        _items[resource] = (item, null);
                    }
                }
                catch (Exception ex) when (Mapping.IsUnusable(ex))
                {
                    _items[resource] = (null, ex.GetType().Name);
                }
                catch (Exception)
                {
                    // Anything else is left to Build, which meets it exactly as it would have without mapping ahead.
                }
            }
        }

        public bool TryGet(Resource resource, out object? item, out string? failure)
        {
            if (_items.TryGetValue(resource, out var outcome))
            {
                (item, failure) = outcome;
                return true;
            }

            item = null;
            failure = null;
            return false;
        }
    }
}
