using System.Security.Cryptography;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>This app instance's name in work leases: host, process and a random part, so a restarted process (same
/// host, possibly the same pid in a container) is a new owner and never mistakes its predecessor's leases for its own.</summary>
public sealed class InstanceIdentity
{
    public InstanceIdentity() : this($"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}") { }

    public InstanceIdentity(string id) => Id = id.Length <= 100 ? id : id[..100];

    public string Id { get; }

    public override string ToString() => Id;
}
