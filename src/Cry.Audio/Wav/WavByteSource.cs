namespace Cry.Audio.Wav;

/// <summary>Forward-only bytes that the WAV header reader consumes, from a span or from a stream.</summary>
internal interface IWavByteSource
{
    /// <summary>Fills <paramref name="destination"/> as far as the input goes; returns fewer bytes only at its end.</summary>
    int Read(scoped Span<byte> destination);

    /// <summary>Skips <paramref name="count"/> bytes, or to the end of the input if fewer are left.</summary>
    void Skip(long count);
}

/// <summary>Bytes held in memory.</summary>
internal ref struct SpanByteSource : IWavByteSource
{
    private ReadOnlySpan<byte> _remaining;

    /// <summary>Reads <paramref name="bytes"/> from the start.</summary>
    public SpanByteSource(ReadOnlySpan<byte> bytes) => _remaining = bytes;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _remaining;

    /// <inheritdoc/>
    public int Read(scoped Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _remaining.Length);
        _remaining[..count].CopyTo(destination);
        _remaining = _remaining[count..];
        return count;
    }

    /// <inheritdoc/>
    public void Skip(long count) => _remaining = count >= _remaining.Length ? [] : _remaining[(int)count..];
}

/// <summary>Bytes read from a stream in bounded pieces; skipping seeks when the stream can, else reads into scratch.</summary>
internal readonly struct StreamByteSource : IWavByteSource
{
    private readonly Stream _stream;
    private readonly byte[] _scratch;

    /// <summary>Reads <paramref name="stream"/> from its current position, using <paramref name="scratch"/> to skip.</summary>
    public StreamByteSource(Stream stream, byte[] scratch)
    {
        _stream = stream;
        _scratch = scratch;
    }

    /// <inheritdoc/>
    public int Read(scoped Span<byte> destination) => _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);

    /// <inheritdoc/>
    public void Skip(long count)
    {
        if (_stream.CanSeek)
        {
            long left = Math.Max(0, _stream.Length - _stream.Position);
            _stream.Seek(Math.Min(count, left), SeekOrigin.Current);
            return;
        }

        while (count > 0)
        {
            int read = _stream.Read(_scratch, 0, (int)Math.Min(count, _scratch.Length));
            if (read == 0)
            {
                return;
            }

            count -= read;
        }
    }
}
