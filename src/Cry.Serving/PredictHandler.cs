using System.Security.Cryptography;
using System.Text;
using Cry.Audio;
using Cry.Inference;
using Microsoft.AspNetCore.Http;
using Cry.Audio.Decoding;

namespace Cry.Serving;

/// <summary>
/// The request handling of <c>POST /api/predict</c>, shared by <c>cry serve</c> and the Functions app: media type,
/// body limit (checked before the whole body is read), decoding, prediction, and a problem+json answer for every
/// client error. A client's input never produces a 500.
/// </summary>
public static class PredictHandler
{
    /// <summary>Media types accepted as a raw recording body; the format itself is read from the content, never from the type.</summary>
    public static IReadOnlyList<string> AudioMediaTypes => AudioDecoder.MediaTypes;

    /// <summary>The multipart field that carries the file.</summary>
    public const string FileField = RecordingBody.FileField;

    /// <summary>Scores the request's audio.</summary>
    /// <param name="request">The request: a recording as the body, or multipart/form-data with a field <see cref="FileField"/>.</param>
    /// <param name="predictor">The predictor.</param>
    /// <param name="options">Body limit, key and the body's timeouts.</param>
    /// <param name="gate">The host's bound on the work in flight.</param>
    /// <returns>200 with the result JSON, a problem+json 4xx, or 503 with Retry-After when the host is at its bound.</returns>
    public static async Task<IResult> HandleAsync(HttpRequest request, Predictor predictor, ServingOptions options, PredictionGate gate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gate);
        if (!IsAuthorized(request, options))
        {
            return Problems.Unauthorized();
        }

        // The gate's lease is held until the body is disposed: decoding (FFmpeg included) and scoring count as work in flight.
        using var body = await RecordingBody.ReadAsync(request, options.MaxBodyBytes, options, gate);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        try
        {
            var result = predictor.Predict(body.Data.Span);
            return Results.Json(result, PredictionResult.JsonOptions);
        }
        catch (AudioFormatException ex)
        {
            return Problems.ForAudio(ex);
        }
        catch (AudioDecoderBusyException ex)
        {
            return Problems.Busy(ex.Message);
        }
        catch (OutOfMemoryException)
        {
            return Problems.OutOfMemory(); // Under a heap limit (a container's), a long recording among others: busy, not broken.
        }
    }

    /// <summary>
    /// Whether a media type may carry a recording: any <c>audio/*</c> type (browsers and phones name the same content
    /// differently: <c>audio/x-m4a</c>, <c>audio/webm;codecs=opus</c>, …), the video types of containers that phones
    /// use for audio, and <c>application/octet-stream</c>. The content decides the format.
    /// </summary>
    public static bool IsAudioMediaType(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        return mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || AudioMediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether the request carries the configured key (always true when none is configured).</summary>
    public static bool IsAuthorized(HttpRequest request, ServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ApiKey is not { } key)
        {
            return true;
        }

        string? given = request.Headers[ServingOptions.KeyHeader];
        return given is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));
    }
}
