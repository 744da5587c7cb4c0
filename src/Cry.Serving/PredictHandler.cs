using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Cry.Audio;
using Cry.Inference;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

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
    public const string FileField = "file";

    /// <summary>Scores the request's audio.</summary>
    /// <param name="request">The request: a WAV body, or multipart/form-data with a field <see cref="FileField"/>.</param>
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

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            return Problems.Unsupported(
                $"The request has {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"the Content-Type '{request.ContentType}', which cannot be parsed")}; " +
                $"send the recording with an audio/* media type (such as audio/wav, audio/mp4, audio/webm) or application/octet-stream, or as multipart/form-data with a field '{FileField}'.");
        }

        bool multipart = type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!multipart && !IsAudioMediaType(type))
        {
            return Problems.Unsupported(
                $"The media type '{type}' is not accepted; send the recording with an audio/* media type (such as audio/wav, audio/mp4, audio/webm) or application/octet-stream, or as multipart/form-data with a field '{FileField}'.");
        }

        long bodyLimit = options.MaxBodyBytes + (multipart ? options.MultipartOverheadBytes : 0);
        if (request.ContentLength is long declared && declared > bodyLimit)
        {
            return Problems.TooLarge(options.MaxBodyBytes); // Refused from the header, before any of the body is read.
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Our own count enforces the limit; the server's allows a little more so an over-limit body can be drained.
            sizeFeature.MaxRequestBodySize = bodyLimit + DrainBytes;
        }

        string? boundary = null;
        if (multipart)
        {
            boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary) || boundary.Length > MaxBoundaryLength)
            {
                return Problems.BadAudio(string.IsNullOrEmpty(boundary)
                    ? "The multipart/form-data Content-Type has no boundary."
                    : $"The multipart boundary has {boundary.Length:N0} characters; RFC 2046 allows at most {MaxBoundaryLength}.");
            }
        }

        // Bound the work in flight before reading: a body that does not declare its length may buffer up to the limit.
        long reserve = Math.Min(request.ContentLength ?? bodyLimit, bodyLimit);
        if (!gate.TryEnter(reserve, out var lease, out string? busy))
        {
            CloseAfterResponse(request); // Its body is not read: do not make the server drain it.
            return Problems.Busy($"{busy} Try again shortly.");
        }

        byte[]? buffer = null;
        var body = new ProgressGuardStream(request.Body, options.BodyStallTimeout, options.BodyDeadline(reserve), request.HttpContext.RequestAborted);
        try
        {
            int length;
            if (multipart)
            {
                // The file field's own limit is enforced while reading it; the reader bounds part headers (16 KB).
                var reader = new MultipartReader(boundary!, body) { HeadersLengthLimit = PartHeadersLimit };
                (buffer, length) = await ReadFileFieldAsync(reader, options.MaxBodyBytes, request.HttpContext.RequestAborted);
                if (buffer is null)
                {
                    return Problems.BadAudio($"The multipart/form-data body has no field named '{FileField}' holding the recording.");
                }
            }
            else
            {
                (buffer, length) = await ReadLimitedAsync(body, options.MaxBodyBytes, request.ContentLength, request.HttpContext.RequestAborted);
            }

            var result = predictor.Predict(buffer.AsSpan(0, length));
            return Results.Json(result, PredictionResult.JsonOptions);
        }
        catch (BodyTooLargeException)
        {
            await DrainAsync(body);
            return Problems.TooLarge(options.MaxBodyBytes);
        }
        catch (BodyTimeoutException ex)
        {
            CloseAfterResponse(request);
            return Problems.Of(
                StatusCodes.Status408RequestTimeout,
                ex.Stalled ? "The body stopped arriving" : "The body took too long",
                ex.Stalled
                    ? $"No part of the body arrived for {options.BodyStallTimeout.TotalSeconds:0.#} s after {body.Position64:N0} bytes; send the recording again."
                    : $"The body of {reserve:N0} bytes may take at most {options.BodyDeadline(reserve).TotalSeconds:0} s; {body.Position64:N0} bytes arrived.");
        }
        catch (AudioFormatException ex)
        {
            return Problems.ForAudio(ex);
        }
        catch (AudioDecoderBusyException ex)
        {
            return Problems.Busy(ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problems.TooLarge(options.MaxBodyBytes)
                : Problems.Of(ex.StatusCode, "The request cannot be read", ex.Message);
        }
        catch (InvalidDataException ex)
        {
            // MultipartReader: malformed framing, or part headers over their limit (the file's own limit is ours).
            return Problems.BadAudio(
                $"The multipart/form-data body is malformed, or a part's headers pass {PartHeadersLimit / 1024} KB: {Bounded(ex.Message)}");
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return Problems.BadAudio($"The body could not be read to its end: {Bounded(ex.Message)}");
        }
        finally
        {
            lease!.Dispose();
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The longest multipart boundary accepted (RFC 2046: 1 to 70 characters).</summary>
    public const int MaxBoundaryLength = 70;

    /// <summary>The most bytes the headers of one multipart part may take.</summary>
    public const int PartHeadersLimit = 16 * 1024;

    private static void CloseAfterResponse(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";

    // A library's message may quote what it could not parse: keep answers short.
    private static string Bounded(string message) => message.Length <= 200 ? message : string.Concat(message.AsSpan(0, 200), "…");

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

    private static async Task<(byte[]? Buffer, int Length)> ReadFileFieldAsync(MultipartReader reader, long limit, CancellationToken cancellation)
    {
        while (await reader.ReadNextSectionAsync(cancellation) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && (disposition.IsFormDisposition() || disposition.IsFileDisposition())
                && string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, FileField, StringComparison.Ordinal))
            {
                return await ReadLimitedAsync(section.Body, limit, null, cancellation);
            }

            await section.Body.DrainAsync(cancellation); // Another field: skip it (the reader's limits bound it).
        }

        return (null, 0);
    }

    /// <summary>Reads a body into a pooled buffer, stopping as soon as it passes <paramref name="limit"/>.</summary>
    private static async Task<(byte[] Buffer, int Length)> ReadLimitedAsync(Stream body, long limit, long? declared, CancellationToken cancellation)
    {
        int capacity = (int)Math.Clamp(declared ?? 64 * 1024, 4096, limit + 1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(capacity);
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        throw new BodyTooLargeException();
                    }

                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await body.ReadAsync(buffer.AsMemory(length), cancellation);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > limit)
                {
                    throw new BodyTooLargeException();
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// After a streamed body passes the limit, up to this much more is read and discarded before answering 413, so a
    /// client still sending (one that did not ask for 100-continue) reads the answer instead of a reset connection.
    /// A longer body is cut off: the server closes the connection.
    /// </summary>
    public const long DrainBytes = 1024 * 1024;

    private static async Task DrainAsync(Stream body)
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long drained = 0;
            int read;
            while (drained <= DrainBytes && (read = await body.ReadAsync(scratch, CancellationToken.None)) > 0)
            {
                drained += read;
            }
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException or OperationCanceledException or InvalidDataException or BodyTimeoutException)
        {
            // The server cut the body off or the client went away: the 413 is still the answer.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private sealed class BodyTooLargeException : Exception
    {
    }
}
