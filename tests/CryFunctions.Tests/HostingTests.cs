using Cry.Azure;
using Cry.Inference;
using Cry.Pipeline;
using Cry.Pipeline.Retraining;
using Cry.Serving;
using CryFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CryFunctions.Tests;

/// <summary>The app's one registration call: settings bound as the sample and the Bicep spell them, checked, and turned into the services the functions take.</summary>
public sealed class HostingTests
{
    private static ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return new ServiceCollection().AddLogging().AddCryFunctions(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Settings_AsDeployed_BecomeTheLibraryOptions()
    {
        using var services = Services(
            (AzureConnections.Storage, "UseDevelopmentStorage=true"),
            ("Cry:InferenceDevice", "cpu"),
            ("Cry:InferenceThreads", "2"),
            ("Cry:MaxClipMegabytes", "1.5"),
            ("Cry:MaxPredictBodyMegabytes", "64"),
            ("Cry:MaxConcurrentPredictions", "3"),
            ("Cry:TrainingDispatch", "local"));

        Assert.Equal((long)(1.5 * 1024 * 1024), services.GetRequiredService<PipelineOptions>().MaxClipBytes);
        Assert.Equal(new InferenceOptions { Device = "cpu", Threads = 2 }, services.GetRequiredService<InferenceOptions>());
        var serving = services.GetRequiredService<ServingOptions>();
        Assert.Equal(64L * 1024 * 1024, serving.MaxBodyBytes);
        Assert.Equal(64L * 1024 * 1024, serving.MaxBufferedBodyBytes); // holds one body of the larger limit
        Assert.Equal(3, serving.MaxConcurrentPredictions);
        Assert.IsType<LocalProcessDispatcher>(services.GetRequiredService<ITrainingDispatcher>());
        Assert.NotNull(services.GetRequiredService<ClipIngestion>());
        Assert.NotNull(services.GetRequiredService<Predictor>());
        Assert.NotNull(services.GetRequiredService<PredictionGate>());
    }

    [Fact]
    public void Defaults_AreTheRetrainingDefaults()
    {
        using var services = Services((AzureConnections.Storage, "UseDevelopmentStorage=true"));
        var options = services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value;
        var request = options.RetrainRequest();

        Assert.Equal("auto", options.InferenceDevice);
        Assert.Equal(TrainingDispatchKind.Local, options.Dispatch);
        Assert.Equal((RetrainDefaults.Epochs, RetrainDefaults.TimeoutMinutes, RetrainDefaults.PromotionMargin), (request.Epochs, request.TimeoutMinutes, request.Margin));
        Assert.Equal(new Retraining.RetrainRequest(), request);
        Assert.Equal(RetrainDefaults.Epochs, new TrainingJob { RunId = "r", SnapshotId = "s" }.Epochs);
    }

    [Fact]
    public async Task ServiceBusDispatch_IsTheQueue_AndTheLowerCaseSpellingBinds()
    {
        await using var services = Services(
            (AzureConnections.Storage, "UseDevelopmentStorage=true"),
            (AzureConnections.ServiceBus + ":fullyQualifiedNamespace", "cry.servicebus.windows.net"),
            ("Cry:TrainingDispatch", "servicebus"));

        Assert.IsType<ServiceBusDispatcher>(services.GetRequiredService<ITrainingDispatcher>());
    }

    [Theory]
    [InlineData("Cry:InferenceDevice", "gpu")]
    [InlineData("Cry:TrainingDispatch", "queue")]
    [InlineData("Cry:TrainingDispatch", "ServiceBus")] // the settings are the lower-case words, as deployed
    [InlineData("Cry:InferenceDevice", "1")]
    [InlineData("Cry:MaxClipMegabytes", "0")]
    [InlineData("Cry:HoldoutShare", "0.9")]
    public void ABadSetting_StopsTheHost_NamingIt(string key, string value)
    {
        using var services = Services((AzureConnections.Storage, "UseDevelopmentStorage=true"), (key, value));

        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IOptions<CryFunctionsOptions>>().Value);

        Assert.IsType<OptionsValidationException>(ex);
        Assert.Contains(key.Split(':')[1], ex.Message, StringComparison.Ordinal);
    }
}
