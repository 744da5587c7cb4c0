using Cry.Features;

namespace Cry.Inference;

/// <summary>A loaded model with its feature extractor, shared by reference count: disposed when the last user lets go.</summary>
internal sealed class LoadedModel
{
    private int _references = 1; // The source's own reference, released when the model is swapped out or the source disposed.

    public LoadedModel(OnnxCryModel model)
    {
        Model = model;
        Extractor = new FeatureExtractor(model.Manifest.FeatureSpec);
    }

    public OnnxCryModel Model { get; }

    public FeatureExtractor Extractor { get; }

    /// <summary>Takes a reference unless the model is already released.</summary>
    public bool TryAddReference()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Model.Dispose();
        }
    }
}

/// <summary>
/// The use of one model for one request: the model stays loaded until the lease is disposed, even when a newer bundle
/// replaces it meanwhile.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private LoadedModel? _loaded;

    internal ModelLease(LoadedModel loaded) => _loaded = loaded;

    /// <summary>The model.</summary>
    public OnnxCryModel Model => (_loaded ?? throw new ObjectDisposedException(nameof(ModelLease))).Model;

    /// <summary>The feature extractor of the model's spec.</summary>
    public FeatureExtractor Extractor => (_loaded ?? throw new ObjectDisposedException(nameof(ModelLease))).Extractor;

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _loaded, null)?.Release();
}

/// <summary>Where a predictor gets its current model.</summary>
public interface IModelSource : IDisposable
{
    /// <summary>The current model, held until the lease is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    ModelLease Acquire();
}
