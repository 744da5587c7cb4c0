using Cry.Audio;
using Microsoft.AspNetCore.Http;

namespace Cry.Serving;

/// <summary>RFC 9457 problem+json answers of the API.</summary>
public static class Problems
{
    /// <summary>A problem+json result.</summary>
    public static IResult Of(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}");

    /// <summary>400: the audio cannot be read.</summary>
    public static IResult BadAudio(string detail) => Of(StatusCodes.Status400BadRequest, "The audio cannot be read", detail);

    /// <summary>415: a media type or codec this host does not take.</summary>
    public static IResult Unsupported(string detail) => Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type or codec", detail);

    /// <summary>
    /// The problem type of a recording in a format this host knows but cannot decode because FFmpeg is missing
    /// (status 415). A client that sees it can convert the recording to WAV and send it again, as the web page does.
    /// </summary>
    public const string DecoderUnavailableType = "urn:cryfunctions:problem:decoder-unavailable";

    /// <summary>The answer to an audio refusal: 400 for a broken file, 415 for an unsupported format or codec, 415 with <see cref="DecoderUnavailableType"/> when FFmpeg is missing.</summary>
    public static IResult ForAudio(AudioFormatException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception.MissingDecoder is not null)
        {
            return Results.Problem(
                detail: exception.Message,
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "This host cannot decode the recording's format",
                type: DecoderUnavailableType,
                extensions: new Dictionary<string, object?> { ["missingDecoder"] = exception.MissingDecoder });
        }

        return exception.IsUnsupportedFormat ? Unsupported(exception.Message) : BadAudio(exception.Message);
    }

    /// <summary>503 with Retry-After: the decoders are busy; the request may be repeated shortly.</summary>
    public static IResult Busy(string detail) => new RetryAfterResult(
        Of(StatusCodes.Status503ServiceUnavailable, "The server is busy", detail), RetryAfterSeconds);

    /// <summary>
    /// 503 with Retry-After: the work of this request did not fit in the memory the process may use now (a heap limit,
    /// as containers set, with other long recordings in flight); the same request may succeed shortly.
    /// </summary>
    public static IResult OutOfMemory() => Busy(
        "The server ran short of memory for this recording (the heap its process may use, with the work in flight); send it again shortly, or a shorter recording.");

    /// <summary>503 with Retry-After: a dependency (the model store) cannot be reached now; the request may be repeated later.</summary>
    public static IResult Unavailable(string title, string detail) => new RetryAfterResult(
        Of(StatusCodes.Status503ServiceUnavailable, title, detail), RetryAfterSeconds);

    /// <summary>503: no model has been promoted to serve yet.</summary>
    public static IResult NoModel(string detail) => Of(StatusCodes.Status503ServiceUnavailable, "No model is serving yet", detail);

    /// <summary>503 with Retry-After: the store the serving model comes from cannot be reached now.</summary>
    public static IResult ModelStoreUnavailable(string detail) => Unavailable("The model store cannot be reached", detail);

    /// <summary>503: the model named to serve is missing or broken (an operator's problem, said as such).</summary>
    public static IResult ModelUnloadable(string detail) => Of(StatusCodes.Status503ServiceUnavailable, "The serving model cannot be loaded", detail);

    /// <summary>404: nothing of the kind is stored under the name.</summary>
    public static IResult NotFound(string title, string detail) => Of(StatusCodes.Status404NotFound, title, detail);

    /// <summary>400: a request value is not valid.</summary>
    public static IResult BadRequest(string title, string detail) => Of(StatusCodes.Status400BadRequest, title, detail);

    /// <summary>409: the request conflicts with what is stored.</summary>
    public static IResult Conflict(string title, string detail) => Of(StatusCodes.Status409Conflict, title, detail);

    /// <summary>The Retry-After of a busy answer, in seconds.</summary>
    public const int RetryAfterSeconds = 5;

    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>413: a body over the limit of <paramref name="limit"/> bytes.</summary>
    public static IResult TooLarge(long limit) => Of(
        StatusCodes.Status413PayloadTooLarge,
        "The body is too large",
        $"The body is larger than the limit of {limit:N0} bytes ({limit / (1024.0 * 1024.0):0.#} MB).");

    /// <summary>401: no valid API key in <see cref="ServingOptions.KeyHeader"/>.</summary>
    public static IResult Unauthorized() => Of(
        StatusCodes.Status401Unauthorized,
        "A valid API key is required",
        $"Send the key in the '{ServingOptions.KeyHeader}' header.");
}
