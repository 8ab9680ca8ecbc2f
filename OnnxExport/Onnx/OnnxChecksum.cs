using System.Security.Cryptography;
using Google.Protobuf;
using MlNetRnn.OnnxExport.Export;
using MlNetRnn.OnnxExport.Proto;

namespace MlNetRnn.OnnxExport.Onnx;

/// <summary>
/// The checksum an export carries in its metadata (<see cref="OnnxModelContract.ChecksumKey"/>): the SHA-256 of the
/// model serialized without that entry. It covers every field of <see cref="ModelProto"/> that this library reads or
/// ONNX Runtime runs: the graph (nodes, attributes, initializers, inputs, outputs), the IR version and opsets, the
/// producer and every other metadata entry; so a weight, an attribute or a metadata value changed after export is
/// refused, which no check of the values alone can see (a finite weight changed is still a plausible weight).
/// It is a check against damage, not a signature: whoever can edit the file can recompute it.
/// </summary>
public static class OnnxChecksum
{
    public const string Prefix = "sha256:";

    /// <summary>"sha256:" and the lower-case hex SHA-256 of <paramref name="model"/> without its checksum entry.</summary>
    public static string Compute(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A new message sharing the graph (C# protobuf message fields are references, not copies): every field of
        // ModelProto in Proto/onnx.proto but the checksum entry. OnnxChecksumTests fails when a field is added there
        // and not here.
        var covered = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            Domain = model.Domain,
            ModelVersion = model.ModelVersion,
            DocString = model.DocString,
            Graph = model.Graph,
        };
        covered.OpsetImport.AddRange(model.OpsetImport);
        covered.MetadataProps.AddRange(model.MetadataProps.Where(p => p.Key != OnnxModelContract.ChecksumKey));
        using var hash = new HashingStream();
        covered.WriteTo(hash);
        return Prefix + Convert.ToHexStringLower(hash.Finish());
    }

    /// <summary>Whether <paramref name="value"/> has the form of a checksum ("sha256:" and 64 lower-case hex digits).</summary>
    public static bool IsWellFormed(string value) =>
        value.Length == Prefix.Length + 64 && value.StartsWith(Prefix, StringComparison.Ordinal) && value.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") == false;

    /// <summary>A write-only stream that hashes what is written, so a model of a gigabyte is hashed without a copy.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Finish() => _hash.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
