using System.Runtime.InteropServices;
using System.Text;

namespace MlNetRnn.OnnxExport.Runtime;

/// <summary>
/// Key/value strings as two native <c>const char* const*</c> arrays of NUL-terminated UTF-8, for ORT's option calls
/// (UpdateCUDAProviderOptions, SessionOptionsAppendExecutionProvider_V2). One native block, freed on dispose.
/// </summary>
internal sealed unsafe class NativeStringArrays : IDisposable
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _pairs;
    private void* _block;

    public NativeStringArrays(IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        _pairs = pairs;
        Count = pairs.Count;
        var pointerBytes = (nuint)(2 * Count * sizeof(byte*));
        nuint textBytes = 0;
        foreach (var (key, value) in pairs)
            textBytes += (nuint)(Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 2);
        _block = NativeMemory.Alloc(pointerBytes + textBytes + 1);
        Keys = (byte**)_block;
        Values = Keys + Count;
        var text = (byte*)_block + pointerBytes;
        for (var i = 0; i < Count; i++)
        {
            Keys[i] = text;
            text = Write(pairs[i].Key, text);
            Values[i] = text;
            text = Write(pairs[i].Value, text);
        }
    }

    public int Count { get; }

    public byte** Keys { get; }

    public byte** Values { get; }

    public void Dispose()
    {
        NativeMemory.Free(_block);
        _block = null;
    }

    public override string ToString() => "{" + string.Join(", ", _pairs.Select(p => $"{p.Key}={p.Value}")) + "}";

    private static byte* Write(string value, byte* destination)
    {
        var length = Encoding.UTF8.GetBytes(value, new Span<byte>(destination, Encoding.UTF8.GetByteCount(value)));
        destination[length] = 0;
        return destination + length + 1;
    }
}
