using Microsoft.Playwright;

namespace ClinicalAssist.BrowserTests;

/// <summary>Collects, for every page of a browser context, Content-Security-Policy violations (the
/// securitypolicyviolation event, reported through a Playwright binding so nothing is lost across navigations) and
/// console messages that mention the policy, plus page errors.</summary>
public sealed class SecurityPolicyWatcher
{
    private readonly List<string> _violations = [];
    private readonly List<string> _pageErrors = [];

    public IReadOnlyList<string> Violations { get { lock (_violations) return [.. _violations]; } }
    public IReadOnlyList<string> PageErrors { get { lock (_pageErrors) return [.. _pageErrors]; } }

    public async Task AttachAsync(IBrowserContext context)
    {
        await context.ExposeFunctionAsync<string>("__reportCspViolation", report => { lock (_violations) _violations.Add(report); });
        // Init scripts are injected by the browser driver, outside the page's policy.
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e =>
              window.__reportCspViolation(`${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI} ${e.sample || ''}`));
            """);
        context.Page += (_, page) =>
        {
            page.Console += (_, message) =>
            {
                if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                {
                    lock (_violations) _violations.Add($"console {message.Type}: {message.Text}");
                }
            };
            page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add(error); };
        };
    }
}
