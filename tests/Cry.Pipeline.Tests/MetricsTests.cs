using System.Diagnostics.Metrics;
using System.Text;

namespace Cry.Pipeline.Tests;

public sealed class MetricsTests(Azurite azurite)
{
    [Fact]
    public async Task Quarantine_IsCounted_WithoutTheFileName()
    {
        var measurements = new List<(string Instrument, long Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))));
            }
        });
        listener.Start();

        var store = Stores.Create("local", azurite, out var cleanup);
        try
        {
            const string SecretName = "mother-name-2026-01-01.wav";
            await store.WriteAsync(Containers.Clips, $"hungry/{SecretName}", Encoding.UTF8.GetBytes("text"), cancellation: TestContext.Current.CancellationToken);
            await new ClipIngestion(store, new PipelineOptions()).AcceptAsync("hungry", SecretName, TestContext.Current.CancellationToken);
        }
        finally
        {
            cleanup();
        }

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "cry.clips.quarantined" && m.Value == 1);
            Assert.DoesNotContain(measurements, m => m.Tags.Contains("mother", StringComparison.Ordinal));
        }
    }
}
