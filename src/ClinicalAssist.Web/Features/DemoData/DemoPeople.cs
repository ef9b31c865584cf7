namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>Fictional names, addresses and clinicians for the demo ward.</summary>
internal static class DemoPeople
{
    public static readonly string[] FemaleGiven =
    [
        "Margaret", "Eleanor", "Joan", "Patricia", "Dorothy", "Helen", "Irene", "Maureen", "Beatrice", "Ruth",
        "Sandra", "Linda", "Aisha", "Priya", "Grace", "Olivia", "Chloe", "Hannah", "Rosa", "Mei",
        "Fatima", "Lucy", "Nadia", "Sofia", "Teresa", "Agnes", "Catherine", "Deborah", "Yvonne", "Sinead",
    ];

    public static readonly string[] MaleGiven =
    [
        "Arthur", "Harold", "Kenneth", "Raymond", "Walter", "Frank", "Dennis", "Trevor", "Leonard", "Stanley",
        "David", "Michael", "Paul", "Rajesh", "Tomasz", "Samuel", "Daniel", "Owen", "Marcus", "Luis",
        "Kwame", "Ian", "Gareth", "Hugh", "Patrick", "Neil", "Graham", "Callum", "Ahmed", "Victor",
    ];

    public static readonly string[] Family =
    [
        "Ashworth", "Pemberton", "Holloway", "Fairbairn", "Lindqvist", "Okonkwo", "Castellano", "Whitcombe",
        "Bramley", "Nakamura", "Delacroix", "Hargreaves", "Quinlan", "Ravensworth", "Sutcliffe", "Thistlewood",
        "Varga", "Winterbourne", "Yardley", "Abernathy", "Blackwood", "Carrow", "Dunmore", "Elsworth",
        "Fenwick", "Gallacher", "Hollins", "Ingleby", "Kowalczyk", "Lockhart", "Marchetti", "Northcott",
        "Ostrowski", "Penhaligon", "Radcliffe", "Stroud", "Tennant", "Underwood", "Vasquez", "Wetherby",
    ];

    public static readonly string[] Streets =
    [
        "Alder Lane", "Bramble Close", "Chestnut Avenue", "Dovecote Road", "Elm Grove", "Foxglove Way",
        "Granary Street", "Heron Drive", "Ivy Terrace", "Juniper Court", "Kingfisher Road", "Lantern Row",
        "Meadowbank", "Nightingale Crescent", "Orchard Rise", "Primrose Hill Road",
    ];

    public static readonly (string City, string State, string PostalPrefix)[] Towns =
    [
        ("Millbrook", "MA", "017"),
        ("Ashford Vale", "MA", "018"),
        ("Kestrel Bay", "MA", "020"),
        ("Harrow Green", "MA", "019"),
        ("Linden Falls", "MA", "016"),
    ];

    public static readonly string[] Registrars =
    [
        "Dr Eleanor Marsh, Medical Registrar", "Dr Tomasz Nowicki, Medical Registrar",
        "Dr Priya Raman, Medical Registrar", "Dr Samuel Okafor, Medical Registrar",
    ];

    public static readonly string[] Consultants =
    [
        "Dr Hannah Whitlock, Consultant Physician", "Dr Daniel Reyes, Consultant Physician",
        "Dr Miriam Castell, Consultant Physician", "Dr Julian Frost, Consultant Physician",
    ];
}
