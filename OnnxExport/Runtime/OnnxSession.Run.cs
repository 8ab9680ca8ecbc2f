using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace MlNetRnn.OnnxExport.Runtime;

// Run: check the inputs against the model, wrap them as ORT tensors over pinned memory, run, copy the outputs out.
// Everything a call touches is its own (pins, OrtValues, name buffers), so concurrent calls share nothing mutable.
public sealed unsafe partial class OnnxSession
{
    // Backing for tensors with no elements, which still need a valid data pointer.
    private static readonly long[] EmptyTensorData = GC.AllocateArray<long>(1, pinned: true);

    /// <summary>
    /// Runs the model. Every graph input must be given once, with the model's element type, rank and fixed
    /// dimensions. Returns the outputs named in <paramref name="outputNames"/> (default: all, in model order), in
    /// that order, as tensors that own their values.
    /// </summary>
    /// <exception cref="ArgumentException">An input is unknown, missing, repeated, or of the wrong type or shape;
    /// or an output name is unknown.</exception>
    /// <exception cref="OnnxRuntimeException">ORT failed while running (its code and message).</exception>
    public IReadOnlyList<OnnxRuntimeTensor> Run(IReadOnlyList<OnnxRuntimeTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs(inputs);
        var outputs = outputNames is null ? Outputs.Select(o => o.Name).ToArray() : CheckOutputNames(outputNames);
        var api = _library.Api;

        var pins = new MemoryHandle[inputs.Count];
        var inputValues = new OrtHandle?[inputs.Count];
        var outputValues = new IntPtr[outputs.Length];
        var ownedOutputs = new OrtHandle?[outputs.Length];
        try
        {
            using (var memoryInfo = _library.CpuMemoryInfo.Lease())
            {
                for (var i = 0; i < inputs.Count; i++)
                {
                    var tensor = inputs[i];
                    pins[i] = tensor.Pin();
                    var data = tensor.ElementCount == 0
                        ? Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(EmptyTensorData))
                        : pins[i].Pointer;
                    IntPtr value;
                    fixed (long* shape = tensor.ShapeArray)
                    {
                        api.ThrowIfFailed(api.CreateTensorWithDataAsOrtValue(memoryInfo.Pointer, data, tensor.ByteLength, shape,
                            (nuint)tensor.ShapeArray.Length, (int)tensor.ElementType, &value), $"wrapping input '{tensor.Name}' {tensor.ShapeText}");
                    }
                    inputValues[i] = new OrtHandle("OrtValue", api.ReleaseValue, value);
                }
            }

            var inputNames = NullTerminatedUtf8(inputs.Select(t => t.Name), out var inputOffsets);
            var outputNameBytes = NullTerminatedUtf8(outputs, out var outputOffsets);
            var inputPointers = new IntPtr[inputs.Count];
            var inputNamePointers = new IntPtr[inputs.Count];
            var outputNamePointers = new IntPtr[outputs.Length];
            IntPtr status;
            fixed (byte* inputText = inputNames)
            fixed (byte* outputText = outputNameBytes)
            fixed (IntPtr* inputValuePointers = inputPointers)
            fixed (IntPtr* inputNameArray = inputNamePointers)
            fixed (IntPtr* outputNameArray = outputNamePointers)
            fixed (IntPtr* outputValuePointers = outputValues)
            {
                for (var i = 0; i < inputs.Count; i++)
                {
                    inputValuePointers[i] = inputValues[i]!.DangerousGetHandle();
                    inputNameArray[i] = (IntPtr)(inputText + inputOffsets[i]);
                }
                for (var i = 0; i < outputs.Length; i++)
                    outputNameArray[i] = (IntPtr)(outputText + outputOffsets[i]);
                using var session = _session.Lease();
                status = api.Run(session.Pointer, IntPtr.Zero, (byte**)inputNameArray, inputValuePointers, (nuint)inputs.Count,
                    (byte**)outputNameArray, (nuint)outputs.Length, outputValuePointers);
            }
            for (var i = 0; i < outputs.Length; i++)
            {
                if (outputValues[i] != IntPtr.Zero)
                    ownedOutputs[i] = new OrtHandle("OrtValue", api.ReleaseValue, outputValues[i]);
            }
            api.ThrowIfFailed(status, $"running {Origin}");

            var results = new OnnxRuntimeTensor[outputs.Length];
            for (var i = 0; i < outputs.Length; i++)
                results[i] = CopyOut(api, outputs[i], ownedOutputs[i] ?? throw new InvalidOperationException($"ORT returned no value for output '{outputs[i]}'."));
            return results;
        }
        finally
        {
            foreach (var value in ownedOutputs)
                value?.Dispose();
            foreach (var value in inputValues)
                value?.Dispose();
            foreach (var pin in pins)
                pin.Dispose();
        }
    }

    private static OnnxRuntimeTensor CopyOut(OnnxRuntimeNativeApi api, string name, OrtHandle owned)
    {
        using var lease = owned.Lease();
        var value = lease.Pointer;
        int isTensor;
        api.ThrowIfFailed(api.IsTensor(value, &isTensor), $"checking output '{name}'");
        if (isTensor == 0)
            throw new NotSupportedException($"Output '{name}' is not a tensor; the binding returns tensors only.");
        IntPtr info;
        api.ThrowIfFailed(api.GetTensorTypeAndShape(value, &info), $"reading the type and shape of output '{name}'");
        using var ownedInfo = new OrtHandle("OrtTensorTypeAndShapeInfo", api.ReleaseTensorTypeAndShapeInfo, info);
        var (elementType, shape, _) = ReadTensorInfo(api, info, name);
        nuint count;
        api.ThrowIfFailed(api.GetTensorShapeElementCount(info, &count), $"counting the elements of output '{name}'");
        if (count > int.MaxValue)
            throw new NotSupportedException($"Output '{name}' {OnnxRuntimeTensor.Format(shape)} has {count} elements, more than an array holds.");
        void* data;
        api.ThrowIfFailed(api.GetTensorMutableData(value, &data), $"reading the data of output '{name}'");
        var length = (int)count;
        switch (elementType)
        {
            case OnnxElementType.Float:
                var floats = new float[length];
                if (length > 0)
                    new ReadOnlySpan<float>(data, length).CopyTo(floats);
                return OnnxRuntimeTensor.FromFloats(name, floats, shape);
            case OnnxElementType.Int32:
                var int32s = new int[length];
                if (length > 0)
                    new ReadOnlySpan<int>(data, length).CopyTo(int32s);
                return OnnxRuntimeTensor.FromInt32s(name, int32s, shape);
            case OnnxElementType.Int64:
                var int64s = new long[length];
                if (length > 0)
                    new ReadOnlySpan<long>(data, length).CopyTo(int64s);
                return OnnxRuntimeTensor.FromInt64s(name, int64s, shape);
            default:
                throw new NotSupportedException($"Output '{name}' holds {elementType}; the binding returns Float, Int32 and Int64 tensors.");
        }
    }

    private void CheckInputs(IReadOnlyList<OnnxRuntimeTensor> inputs)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in inputs)
        {
            if (tensor is null)
                throw new ArgumentException("An input tensor is null.", nameof(inputs));
            if (!_inputIndex.TryGetValue(tensor.Name, out var index))
                throw new ArgumentException($"'{tensor.Name}' is not an input of {Origin}; its inputs are {string.Join(", ", Inputs)}.", nameof(inputs));
            if (!given.Add(tensor.Name))
                throw new ArgumentException($"Input '{tensor.Name}' is given more than once.", nameof(inputs));
            var expected = Inputs[index];
            if (expected.Kind != OnnxValueKind.Tensor)
                throw new NotSupportedException($"Input {expected} is not a tensor; the binding feeds tensors only.");
            if (expected.ElementType != tensor.ElementType)
                throw new ArgumentException(
                    $"Input '{tensor.Name}' must hold {expected.ElementType}, got {tensor.ElementType} {tensor.ShapeText}.", nameof(inputs));
            var fits = expected.Shape.Count == tensor.Shape.Count;
            for (var d = 0; fits && d < expected.Shape.Count; d++)
                fits = expected.Shape[d] < 0 || expected.Shape[d] == tensor.Shape[d];
            if (!fits)
                throw new ArgumentException(
                    $"Input '{tensor.Name}' must have shape {expected.ShapeText} (rank {expected.Shape.Count}), got {tensor.ShapeText}.", nameof(inputs));
        }
        var missing = Inputs.Where(i => !given.Contains(i.Name)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"Missing input(s) of {Origin}: {string.Join(", ", missing)}.", nameof(inputs));
    }

    private string[] CheckOutputNames(IReadOnlyList<string> outputNames)
    {
        if (outputNames.Count == 0)
            throw new ArgumentException("Ask for at least one output, or pass null for all of them.", nameof(outputNames));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in outputNames)
        {
            if (name is null || !_outputIndex.ContainsKey(name))
                throw new ArgumentException($"'{name}' is not an output of {Origin}; its outputs are {string.Join(", ", Outputs)}.", nameof(outputNames));
            if (!seen.Add(name))
                throw new ArgumentException($"Output '{name}' is asked for more than once.", nameof(outputNames));
        }
        return [.. outputNames];
    }

    // All names as NUL-terminated UTF-8 in one buffer; offsets[i] is where name i starts.
    private static byte[] NullTerminatedUtf8(IEnumerable<string> names, out int[] offsets)
    {
        var list = names.ToList();
        offsets = new int[list.Count];
        var total = 0;
        for (var i = 0; i < list.Count; i++)
        {
            offsets[i] = total;
            total += Encoding.UTF8.GetByteCount(list[i]) + 1;
        }
        var buffer = new byte[total];
        for (var i = 0; i < list.Count; i++)
            Encoding.UTF8.GetBytes(list[i], buffer.AsSpan(offsets[i]));
        return buffer;
    }
}
