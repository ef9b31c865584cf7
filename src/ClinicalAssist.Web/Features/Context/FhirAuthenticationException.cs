using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Getting a token for the FHIR server failed; the message is safe to show (no secrets).</summary>
public sealed class FhirAuthenticationException(string message) : Exception(message);
