using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Cry.Serving;

/// <summary>
/// The one bounded, streaming read of a recording sent to the API, shared by prediction and clip upload: the media
/// type, the body limit (from the header before anything is read, and while reading), the host's bound on the work in
/// flight (<see cref="PredictionGate"/>), a body that stalls or passes its deadline, multipart framing — each refused
/// with a problem+json answer. The recording lands in one pooled buffer, given back (with the gate's lease and the
/// prediction slot taken once the body has arrived) on dispose.
/// </summary>
public sealed class RecordingBody : IDisposable
{
    private byte[]? _buffer;
    private int _length;
    private PredictionGate.Lease? _lease;

    private RecordingBody(IResult problem) => Problem = problem;

    private RecordingBody(byte[] buffer, int length, PredictionGate.Lease lease) => (_buffer, _length, _lease) = (buffer, length, lease);

    /// <summary>The answer to send instead when the body was refused; null when <see cref="Data"/> holds the recording.</summary>
    public IResult? Problem { get; }

    /// <summary>The recording's bytes (empty when refused); valid until disposed.</summary>
    public ReadOnlyMemory<byte> Data => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, _length);

    /// <summary>The longest multipart boundary accepted (RFC 2046: 1 to 70 characters).</summary>
    public const int MaxBoundaryLength = 70;

    /// <summary>The most bytes the headers of one multipart part may take.</summary>
    public const int PartHeadersLimit = 16 * 1024;

    /// <summary>The least a request reserves of the gate's bytes: the smallest buffer a body is read into.</summary>
    public const long MinimumReserve = 4096;

    /// <summary>The multipart field that carries the file.</summary>
    public const string FileField = "file";

    /// <summary>
    /// After a streamed body passes the limit, up to this much more is read and discarded before answering 413, so a
    /// client still sending (one that did not ask for 100-continue) reads the answer instead of a reset connection.
    /// A longer body is cut off: the server closes the connection.
    /// </summary>
    public const long DrainBytes = 1024 * 1024;

    /// <summary>Reads the request's recording: the body itself (an audio media type), or the field <see cref="FileField"/> of multipart/form-data.</summary>
    /// <param name="request">The request.</param>
    /// <param name="limit">The largest recording accepted, in bytes.</param>
    /// <param name="options">Multipart overhead and the body's stall timeout and deadline.</param>
    /// <param name="gate">The host's bound on the work in flight; its lease is held until the result is disposed.</param>
    /// <returns>The recording, or the <see cref="Problem"/> to answer with.</returns>
    public static async Task<RecordingBody> ReadAsync(HttpRequest request, long limit, ServingOptions options, PredictionGate gate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (CheckHeaders(request, limit, options, out bool multipart, out string? boundary, out long bodyLimit) is { } refused)
        {
            return new(refused);
        }

        // Bound the work in flight before reading: a body that does not declare its length may buffer up to the limit,
        // and every body takes at least the smallest buffer (so many tiny bodies that stall are bounded too).
        long reserve = Math.Max(MinimumReserve, Math.Min(request.ContentLength ?? bodyLimit, bodyLimit));
        if (!gate.TryEnter(reserve, out var lease, out string? busy))
        {
            CloseAfterResponse(request); // Its body is not read: do not make the server drain it.
            return new(Problems.Busy($"{busy} Try again shortly."));
        }

        var cancellation = request.HttpContext.RequestAborted;
        var body = new ProgressGuardStream(request.Body, options.BodyStallTimeout, options.BodyDeadline(reserve), cancellation);
        try
        {
            var (buffer, length) = multipart
                ? await ReadFileFieldAsync(new MultipartReader(boundary!, body) { HeadersLengthLimit = PartHeadersLimit }, limit, cancellation)
                : await ReadLimitedAsync(body, limit, request.ContentLength, cancellation);
            if (buffer is null)
            {
                lease!.Dispose();
                return new(Problems.BadAudio($"The multipart/form-data body has no field named '{FileField}' holding the recording."));
            }

            // The body has arrived: now the work (decoding, FFmpeg included, and scoring) takes one of the slots.
            string? full;
            try
            {
                full = await lease!.TakeSlotAsync(cancellation);
            }
            catch (OperationCanceledException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }

            if (full is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                lease.Dispose();
                return new(Problems.Busy($"{full} Try again shortly."));
            }

            return new(buffer, length, lease!);
        }
        catch (OutOfMemoryException)
        {
            lease!.Dispose();
            CloseAfterResponse(request); // The rest of the body is not read: do not make the server drain it.
            return new(Problems.OutOfMemory());
        }
        catch (Exception ex) when (ex is BodyTooLargeException or BodyTimeoutException or BadHttpRequestException or InvalidDataException or IOException or OperationCanceledException)
        {
            lease!.Dispose();
            return new(await RefusalAsync(ex, request, body, limit, options, reserve));
        }
        catch
        {
            lease!.Dispose();
            throw;
        }
    }

    // What the headers alone decide, before any of the body is read: the media type, a declared length over the limit,
    // the multipart boundary; the server's own body limit is set on the way. Null when the body may be read.
    private static IResult? CheckHeaders(HttpRequest request, long limit, ServingOptions options, out bool multipart, out string? boundary, out long bodyLimit)
    {
        multipart = false;
        boundary = null;
        bodyLimit = 0;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            return Problems.Unsupported(
                $"The request has {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"the Content-Type '{request.ContentType}', which cannot be parsed")}; " +
                $"send the recording with an audio/* media type (such as audio/wav, audio/mp4, audio/webm) or application/octet-stream, or as multipart/form-data with a field '{FileField}'.");
        }

        multipart = type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!multipart && !PredictHandler.IsAudioMediaType(type))
        {
            return Problems.Unsupported(
                $"The media type '{type}' is not accepted; send the recording with an audio/* media type (such as audio/wav, audio/mp4, audio/webm) or application/octet-stream, or as multipart/form-data with a field '{FileField}'.");
        }

        bodyLimit = limit + (multipart ? options.MultipartOverheadBytes : 0);
        if (request.ContentLength is long declared && declared > bodyLimit)
        {
            return Problems.TooLarge(limit); // Refused from the header, before any of the body is read.
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // Our own count enforces the limit; the server's allows a little more so an over-limit body can be drained.
            sizeFeature.MaxRequestBodySize = bodyLimit + DrainBytes;
        }

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

        return null;
    }

    /// <summary>The answer to a body that could not be read.</summary>
    private static async Task<IResult> RefusalAsync(Exception ex, HttpRequest request, ProgressGuardStream body, long limit, ServingOptions options, long reserve)
    {
        switch (ex)
        {
            case BodyTooLargeException:
                await DrainAsync(body);
                return Problems.TooLarge(limit);
            case BodyTimeoutException timeout:
                CloseAfterResponse(request);
                return Problems.Of(
                    StatusCodes.Status408RequestTimeout,
                    timeout.Stalled ? "The body stopped arriving" : "The body took too long",
                    timeout.Stalled
                        ? $"No part of the body arrived for {options.BodyStallTimeout.TotalSeconds:0.#} s after {body.Position64:N0} bytes; send the recording again."
                        : $"The body of {reserve:N0} bytes may take at most {options.BodyDeadline(reserve).TotalSeconds:0} s; {body.Position64:N0} bytes arrived.");
            case BadHttpRequestException bad:
                return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? Problems.TooLarge(limit)
                    : Problems.Of(bad.StatusCode, "The request cannot be read", Bounded(bad.Message));
            case InvalidDataException:
                // MultipartReader: malformed framing, or part headers over their limit (the file's own limit is ours).
                return Problems.BadAudio(
                    $"The multipart/form-data body is malformed, or a part's headers pass {PartHeadersLimit / 1024} KB: {Bounded(ex.Message)}");
            default: // IOException, OperationCanceledException: the client went away or the connection broke
                return Problems.BadAudio($"The body could not be read to its end: {Bounded(ex.Message)}");
        }
    }

    /// <summary>Gives the buffer and the gate's lease back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _length = 0;
        Interlocked.Exchange(ref _lease, null)?.Dispose();
    }

    private static void CloseAfterResponse(HttpRequest request) => request.HttpContext.Response.Headers.Connection = "close";

    // A library's message may quote what it could not parse: keep answers short.
    private static string Bounded(string message) => message.Length <= 200 ? message : string.Concat(message.AsSpan(0, 200), "…");

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
        int capacity = (int)Math.Clamp(declared ?? 64 * 1024, Math.Min(4096, limit + 1), limit + 1);
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
