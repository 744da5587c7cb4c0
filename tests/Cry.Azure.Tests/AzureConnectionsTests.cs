using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Cry.Pipeline.Storage;
using Cry.Pipeline.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cry.Azure.Tests;

public sealed class AzureConnectionsTests(Azurite azurite)
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Storage_FromAConnectionString_AddressesThatAccount()
    {
        var client = AzureConnections.CreateBlobService(Settings(("CryStorage", "UseDevelopmentStorage=true")));

        Assert.Equal("devstoreaccount1", client.AccountName);
    }

    [Fact]
    public void Storage_FromAServiceUri_UsesAnIdentity_ForThatEndpoint()
    {
        var client = AzureConnections.CreateBlobService(Settings(
            ("CryStorage:blobServiceUri", "https://cryaccount.blob.core.windows.net"), ("CryStorage:clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.Equal(new Uri("https://cryaccount.blob.core.windows.net"), client.Uri);
        Assert.Equal("cryaccount", client.AccountName);
    }

    [Fact]
    public void Storage_Missing_SaysWhichSettingsToGive()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AzureConnections.CreateBlobService(Settings()));

        Assert.Contains("'CryStorage' setting is missing", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CryStorage__blobServiceUri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceBus_FromANamespace_OrAConnectionString_OrMissing()
    {
        var identity = AzureConnections.CreateServiceBus(Settings(("CryServiceBus:fullyQualifiedNamespace", "cry.servicebus.windows.net")));
        Assert.Equal("cry.servicebus.windows.net", identity.FullyQualifiedNamespace);

        var keyed = AzureConnections.CreateServiceBus(Settings(
            ("CryServiceBus", "Endpoint=sb://other.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=c2VjcmV0")));
        Assert.Equal("other.servicebus.windows.net", keyed.FullyQualifiedNamespace);

        var ex = Assert.Throws<InvalidOperationException>(() => AzureConnections.CreateServiceBus(Settings(("CryStorage", "UseDevelopmentStorage=true"))));
        Assert.Contains("CryServiceBus__fullyQualifiedNamespace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_ReadsDoubleUnderscoreAsASection()
    {
        const string Variable = "CryStorage__blobServiceUri";
        Environment.SetEnvironmentVariable(Variable, "https://fromenv.blob.core.windows.net");
        try
        {
            Assert.Equal("https://fromenv.blob.core.windows.net", AzureConnections.FromEnvironment()["CryStorage:blobServiceUri"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [Fact]
    public async Task Registered_TheStoreIsTheBlobStoreOfTheSetting_AndServiceBusIsBuiltOnlyWhenAsked()
    {
        var services = new ServiceCollection().AddCryAzureClients(Settings(("CryStorage", azurite.ConnectionString))).BuildServiceProvider();
        await using var disposeServices = services;

        var store = services.GetRequiredService<IArtifactStore>();
        string container = "t" + Guid.NewGuid().ToString("N")[..10];
        await store.WriteAsync(container, "a/b.txt", "hello"u8.ToArray(), cancellation: TestContext.Current.CancellationToken);
        var read = await store.TryReadAsync(container, "a/b.txt", TestContext.Current.CancellationToken);

        Assert.IsType<BlobArtifactStore>(store);
        Assert.Equal("hello"u8.ToArray(), read?.Data);
        Assert.Same(services.GetRequiredService<BlobServiceClient>(), services.GetRequiredService<BlobServiceClient>());
        await azurite.Service().DeleteBlobContainerAsync(container, cancellationToken: TestContext.Current.CancellationToken);

        // No CryServiceBus setting: registering did not fail; resolving says what is missing.
        var ex = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<ServiceBusClient>());
        Assert.Contains("CryServiceBus", (ex.InnerException ?? ex).Message, StringComparison.Ordinal);
    }

    /// <summary>Collects every log line of every category.</summary>
    private sealed class Capture : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }

    [Fact]
    public async Task Registered_TheSdksRequestLogs_WhichNameTheClip_NeverReachTheLogs()
    {
        var capture = new Capture();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(capture))
            .AddCryAzureClients(Settings(("CryStorage", azurite.ConnectionString)))
            .BuildServiceProvider();
        await using var disposeServices = services;
        string container = "t" + Guid.NewGuid().ToString("N")[..10];

        var store = services.GetRequiredService<IArtifactStore>();
        await store.WriteAsync(container, "hungry/mother-name-2026.wav", "x"u8.ToArray(), cancellation: TestContext.Current.CancellationToken);
        await store.TryReadAsync(container, "hungry/mother-name-2026.wav", TestContext.Current.CancellationToken);
        await azurite.Service().DeleteBlobContainerAsync(container, cancellationToken: TestContext.Current.CancellationToken);

        Assert.DoesNotContain(capture.Lines, line => line.Contains("mother-name", StringComparison.Ordinal));
    }
}
