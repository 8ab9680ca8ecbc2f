using System.Buffers.Binary;
using System.IO.Compression;

namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Reads idx files (the MNIST format): two zero bytes, a type byte, the number of dimensions, each dimension as a
/// big-endian int32, then the values in row-major order. Only type 0x08 (unsigned byte), the one MNIST and
/// Fashion-MNIST use, is supported. Gzip-compressed content (magic bytes 1f 8b) is decompressed first.
/// </summary>
public static class IdxReader
{
    /// <summary>The type byte for unsigned 8-bit values.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Reads the idx file at <paramref name="path"/>, gzip-compressed or not.</summary>
    /// <exception cref="InvalidDataException">the content is not an idx file of unsigned bytes; the message names the file.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    /// <summary>Parses idx content held in memory, gzip-compressed or not.</summary>
    public static IdxFile Parse(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length >= 2 && content[0] == 0x1f && content[1] == 0x8b)
            content = Gunzip(content);
        if (content.Length < 4)
            throw new InvalidDataException($"idx content of {content.Length} bytes is shorter than the 4-byte header.");
        if (content[0] != 0 || content[1] != 0)
            throw new InvalidDataException($"not an idx file: it starts with bytes {content[0]:x2} {content[1]:x2}, expected 00 00.");
        if (content[2] != UnsignedByteType)
            throw new InvalidDataException($"idx value type 0x{content[2]:x2} is not supported; expected 0x08 (unsigned byte).");
        var dimensionCount = content[3];
        var headerLength = 4 + 4 * dimensionCount;
        if (content.Length < headerLength)
            throw new InvalidDataException($"idx header declares {dimensionCount} dimensions but the content ends at byte {content.Length}.");
        var dimensions = new int[dimensionCount];
        long total = 1;
        for (var index = 0; index < dimensionCount; index++)
        {
            dimensions[index] = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4 + 4 * index));
            if (dimensions[index] < 0)
                throw new InvalidDataException($"idx dimension {index} is negative ({dimensions[index]}).");
            total *= dimensions[index];
        }
        var available = content.Length - headerLength;
        if (available != total)
            throw new InvalidDataException(
                $"idx dimensions [{string.Join(", ", dimensions)}] need {total} values but the file holds {available}.");
        return new IdxFile(dimensions, content.AsSpan(headerLength).ToArray());
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream(compressed.Length * 2);
        input.CopyTo(output);
        return output.ToArray();
    }
}
