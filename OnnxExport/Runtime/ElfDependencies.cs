using System.Buffers.Binary;
using System.Text;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// The DT_NEEDED entries of an ELF64 little-endian shared library (what `readelf -d` lists as NEEDED), read from its
/// program headers: the dynamic segment and the string table it points at. Empty for anything else, including a
/// malformed file: this serves an error message, so it never throws.
/// </summary>
internal static class ElfDependencies
{
    private const int ProgramHeaderDynamic = 2;
    private const int ProgramHeaderLoad = 1;
    private const long TagNeeded = 1;
    private const long TagStringTable = 5;

    public static IReadOnlyList<string> Needed(string path)
    {
        try
        {
            var file = File.ReadAllBytes(path);
            return Parse(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or IndexOutOfRangeException)
        {
            return [];
        }
    }

    private static List<string> Parse(byte[] file)
    {
        var span = file.AsSpan();
        // "\x7fELF", class 2 (64-bit), data 1 (little-endian).
        if (span.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F' || span[4] != 2 || span[5] != 1)
            return [];
        var phOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        var phSize = BinaryPrimitives.ReadUInt16LittleEndian(span[54..]);
        var phCount = BinaryPrimitives.ReadUInt16LittleEndian(span[56..]);
        var loads = new List<(ulong VirtualAddress, ulong Offset, ulong Size)>();
        (long Offset, long Size)? dynamic = null;
        for (var i = 0; i < phCount; i++)
        {
            var header = span.Slice(checked((int)(phOffset + (long)i * phSize)), 56);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var address = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
            var fileSize = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (type == ProgramHeaderLoad)
                loads.Add((address, offset, fileSize));
            else if (type == ProgramHeaderDynamic)
                dynamic = ((long)offset, (long)fileSize);
        }
        if (dynamic is not { } d)
            return [];
        var needed = new List<long>();
        ulong stringTable = 0;
        for (var at = d.Offset; at + 16 <= d.Offset + d.Size; at += 16)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(span[(int)at..]);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(span[((int)at + 8)..]);
            if (tag == 0)
                break;
            if (tag == TagNeeded)
                needed.Add((long)value);
            else if (tag == TagStringTable)
                stringTable = value;
        }
        // DT_STRTAB is a virtual address: map it to a file offset through the loadable segment that holds it.
        var segment = loads.FirstOrDefault(l => stringTable >= l.VirtualAddress && stringTable < l.VirtualAddress + l.Size);
        if (segment.Size == 0)
            return [];
        var tableOffset = (long)(stringTable - segment.VirtualAddress + segment.Offset);
        var names = new List<string>();
        foreach (var n in needed)
        {
            var start = checked((int)(tableOffset + n));
            var end = span[start..].IndexOf((byte)0);
            names.Add(Encoding.UTF8.GetString(span.Slice(start, end)));
        }
        return names;
    }
}
