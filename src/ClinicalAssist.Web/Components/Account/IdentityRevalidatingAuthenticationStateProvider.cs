using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Infrastructure;

namespace ClinicalAssist.Web.Components.Account;

// Revalidates the connected user every Session:RevalidationInterval while a circuit is open: an idle circuit, a
// disabled or locked-out account, or one whose security stamp changed (password reset, role change) loses access.
// Every AccountChanges.CheckInterval (a few seconds) it also looks, in memory, for a change notice published by user
// administration for this user, and then re-validates against the database at once: a changed account's circuits
// end within seconds, not at the next interval.
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options,
        IOptions<IdleSessionOptions> session,
        CircuitActivity activity,
        AccountChanges changes,
        SignInSessions sessions,
        TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private DateTimeOffset _lastDatabaseCheck = time.GetUtcNow();
    private long? _seenChange;

    protected override TimeSpan RevalidationInterval =>
        session.Value.RevalidationInterval < AccountChanges.CheckInterval ? session.Value.RevalidationInterval : AccountChanges.CheckInterval;

    protected override Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        ValidateAsync(authenticationState, cancellationToken);

    /// <summary>One revalidation tick (the base class calls it every <see cref="RevalidationInterval"/>).</summary>
    internal async Task<bool> ValidateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Automatic logoff: a circuit nobody has touched for the idle timeout loses its access. Use that sends nothing
        // into the circuit (scrolling, reading with the pointer) reaches the session through the page's keep-alive,
        // so the session's last activity is read before the circuit is called idle.
        if (now - activity.LastActivity >= session.Value.IdleTimeout)
        {
            if (await sessions.LastActivityAsync(authenticationState.User, cancellationToken) is { } seen)
            {
                activity.SeenAt(seen);
            }
            if (now - activity.LastActivity >= session.Value.IdleTimeout)
            {
                return false;
            }
        }

        // The database is read at the first tick, when user administration changed this account since the last tick,
        // or when the configured interval has passed; the other ticks cost a dictionary lookup.
        var userId = authenticationState.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var change = userId is null ? 0 : changes.VersionOf(userId);
        var noticed = _seenChange != change;
        _seenChange = change;
        if (!noticed && now - _lastDatabaseCheck < session.Value.RevalidationInterval)
        {
            return true;
        }
        _lastDatabaseCheck = now;

        // Get the user manager from a new scope to ensure it fetches fresh data
        await using var scope = scopeFactory.CreateAsyncScope();
        var userManager = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        // A signed-out session's circuits (other tabs of the same sign-in) end too, not only its cookie.
        return await sessions.IsActiveAsync(authenticationState.User, cancellationToken)
            && await ValidateSecurityStampAsync(userManager, authenticationState.User);
    }

    private async Task<bool> ValidateSecurityStampAsync(UserManager<ApplicationUser> userManager, ClaimsPrincipal principal)
    {
        var user = await userManager.GetUserAsync(principal);
        if (user is null || user.IsDisabled || await userManager.IsLockedOutAsync(user))
        {
            return false;
        }
        else if (!userManager.SupportsUserSecurityStamp)
        {
            return true;
        }
        else
        {
            var principalStamp = principal.FindFirstValue(options.Value.ClaimsIdentity.SecurityStampClaimType);
            var userStamp = await userManager.GetSecurityStampAsync(user);
            return principalStamp == userStamp;
        }
    }
}
