namespace Cry.Audio.Tests.Wav;

/// <summary>A non-seekable stream over bytes that returns at most <c>maxRead</c> bytes per read and records the largest request.</summary>
internal sealed class TrickleStream(byte[] bytes, int maxRead = 1) : ForwardOnlyStream
{
    private int _position;

    public int LargestRequest { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        LargestRequest = Math.Max(LargestRequest, buffer.Length);
        int n = Math.Min(Math.Min(buffer.Length, maxRead), bytes.Length - _position);
        bytes.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}

/// <summary>A read-only, non-seekable stream: subclasses supply <see cref="Read(Span{byte})"/>.</summary>
internal abstract class ForwardOnlyStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
