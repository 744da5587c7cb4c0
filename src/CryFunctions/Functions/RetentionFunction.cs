using Cry.Pipeline;
using Cry.Pipeline.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CryFunctions.Functions;

/// <summary>Daily at 02:30 UTC: erases clips (and all derived) older than Cry__RetentionDays; does nothing while that is 0 (the default).</summary>
public sealed class RetentionFunction(IArtifactStore store, ClipIngestion ingestion, IOptions<CryFunctionsOptions> options, ILogger<RetentionFunction> logger)
{
    /// <summary>The timer.</summary>
    [Function(nameof(ApplyRetention))]
    public async Task ApplyRetention([TimerTrigger("0 30 2 * * *")] TimerInfo timer, CancellationToken cancellation)
    {
        double days = options.Value.RetentionDays;
        if (days <= 0)
        {
            return;
        }

        await Retention.ApplyAsync(store, ingestion, days, DateTimeOffset.UtcNow, logger, cancellation);
    }
}
