using Cry.Audio;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Storage;
using Cry.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Cry.Audio.Decoding;

namespace CryFunctions.Functions;

/// <summary>
/// The HTTP API: the same request handling as <c>cry serve</c> (Cry.Serving) with the champion read from storage,
/// plus clip upload and erasure (the model endpoints are <see cref="ModelFunctions"/>). Function-level keys for all but
/// health (the host checks <c>x-functions-key</c>).
/// </summary>
public sealed class HttpFunctions(
    Predictor predictor,
    ServingOptions serving,
    PredictionGate gate,
    IArtifactStore store,
    ClipIngestion ingestion,
    PipelineOptions pipeline,
    ILogger<HttpFunctions> logger)
{
    /// <summary>POST /api/predict.</summary>
    [Function(nameof(Predict))]
    public async Task<IResult> Predict([HttpTrigger(AuthorizationLevel.Function, "post", Route = "predict")] HttpRequest request)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await ServingModel.AnswerAsync(() => PredictHandler.HandleAsync(request, predictor, serving, gate), logger);
        int status = result is IStatusCodeHttpResult { StatusCode: int code } ? code : StatusCodes.Status200OK;
        PipelineMetrics.Predictions.Add(1, new KeyValuePair<string, object?>("status", status));
        PipelineMetrics.PredictionDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        return result;
    }

    /// <summary>GET /api/health.</summary>
    [Function(nameof(Health))]
    public IResult Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request)
    {
        try
        {
            return CryApi.Health(predictor);
        }
        catch (Exception ex) when (ServingModel.Unready(ex) is string note)
        {
            return Results.Json(new { status = "ok", modelId = (string?)null, device = (string?)null, note });
        }
    }

    /// <summary>POST /api/clips/{label}: store a labelled clip under <c>clips/</c>, which starts its processing.</summary>
    [Function(nameof(UploadClip))]
    public async Task<IResult> UploadClip(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "clips/{label}")] HttpRequest request, string label, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!pipeline.Labels.Contains(label, StringComparer.Ordinal) && !Cry.Training.Data.ReservedLabels.IsReserved(label))
        {
            return Problems.BadRequest(
                "Unknown label",
                $"'{label}' is not a label; the labels are {string.Join(", ", pipeline.Labels)}, and {Cry.Training.Data.ReservedLabels.NotCry} (not an infant cry) and {Cry.Training.Data.ReservedLabels.Cry} (a cry without a need label) for the cry detector.");
        }

        // The same bounded, streaming read as prediction (media type, limit, stalls, the gate on the work in flight);
        // the gate's lease is held while the upload is decoded, so FFmpeg work counts against it too.
        long limit = pipeline.MaxClipBytes;
        byte[] bytes;
        using (var body = await RecordingBody.ReadAsync(request, limit, serving, gate))
        {
            if (body.Problem is { } problem)
            {
                return problem;
            }

            try
            {
                // Any supported format, decided by the content. What is stored is the decoded audio as a lossless WAV at
                // its own rate, never the uploaded bytes: phone files carry tags (device, time, sometimes location).
                var signal = AudioDecoder.Default.Decode(body.Data.Span);
                bytes = ClipIngestion.CanonicalWav(signal);
            }
            catch (AudioFormatException ex)
            {
                return Problems.ForAudio(ex); // Refuse what would only be quarantined: the client learns why now.
            }
            catch (AudioDecoderBusyException ex)
            {
                return Problems.Busy(ex.Message);
            }
            catch (OutOfMemoryException)
            {
                return Problems.OutOfMemory();
            }
        }

        if (bytes.LongLength > limit)
        {
            return Problems.Of(
                StatusCodes.Status413PayloadTooLarge,
                "The clip is too large",
                $"Decoded, the recording is {bytes.LongLength:N0} bytes of lossless WAV, more than the limit of {limit:N0} bytes; send a shorter recording.");
        }

        string name = $"{Guid.NewGuid():N}.wav"; // The server names clips: no client file name (and its metadata) is stored.
        if (ClipNames.Validate(name) is string unsafeName)
        {
            throw new InvalidOperationException($"The server chose a clip name that cannot be stored safely: {unsafeName}.");
        }

        await store.WriteAsync(Containers.Clips, $"{label}/{name}", bytes, WriteCondition.IfNotExists, cancellation);
        FunctionsLog.ClipUploaded(logger, ClipIngestion.ClipRef(label, name), label);
        return Results.Json(new { label, name, path = $"clips/{label}/{name}" }, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// DELETE /api/clips/{label}/{name}: erase a clip and everything derived from it; 404 when nothing is stored under
    /// exactly that name, 400 for a name that <see cref="ClipNames"/> refuses.
    /// </summary>
    [Function(nameof(EraseClip))]
    public async Task<IResult> EraseClip(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "clips/{label}/{name}")] HttpRequest request, string label, string name, CancellationToken cancellation)
    {
        if (ClipNames.Validate(label) is string badLabel)
        {
            return Problems.BadRequest("Invalid label", $"The label is not a valid name: {badLabel}.");
        }

        if (ClipNames.Validate(name) is string badName)
        {
            return Problems.BadRequest("Invalid clip name", $"The clip's name is not valid: {badName}.");
        }

        try
        {
            int deleted = await ingestion.EraseAsync(label, name, cancellation);
            return deleted == 0
                ? Problems.NotFound("No such clip", $"Nothing is stored for {label}/{name}.")
                : Results.Json(new { label, name, objectsDeleted = deleted });
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest("Invalid clip name", ex.Message);
        }
    }
}
