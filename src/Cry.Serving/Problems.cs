using Microsoft.AspNetCore.Http;

namespace Cry.Serving;

/// <summary>RFC 9457 problem+json answers of the API.</summary>
public static class Problems
{
    /// <summary>A problem+json result.</summary>
    public static IResult Of(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}");

    internal static IResult BadAudio(string detail) => Of(StatusCodes.Status400BadRequest, "The audio cannot be read", detail);

    internal static IResult Unsupported(string detail) => Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type or codec", detail);

    internal static IResult TooLarge(long limit) => Of(
        StatusCodes.Status413PayloadTooLarge,
        "The body is too large",
        $"The body is larger than the limit of {limit:N0} bytes ({limit / (1024.0 * 1024.0):0.#} MB).");

    internal static IResult Unauthorized() => Of(
        StatusCodes.Status401Unauthorized,
        "A valid API key is required",
        $"Send the key in the '{ServingOptions.KeyHeader}' header.");
}
