package dev.isthmus.testing;

import dev.isthmus.backend.Backend;
import dev.isthmus.tensor.Memory;
import dev.isthmus.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The base of test doubles that change a few of a backend's ops: a subclass declares public methods
 * with the signatures of the {@link Backend} methods it changes, and {@link #backend()} is a
 * {@link Backend} (a {@link Proxy}) that calls those and hands every other call to the delegate. A
 * changed op calls {@link #forwarded()} for the delegate's result ("super"). New ops need no edit here.
 * <p>
 * Layers find their backend through {@code tensor.backend()}, so the tensors the double returns must
 * name it, not the delegate: each delegate result (a tensor, a list of tensors, or a record holding
 * tensors) is wrapped in a tensor of the double over the same memory (closing the wrapper closes the
 * delegate's tensor), and tensor arguments are unwrapped before they reach the delegate (views, too,
 * by their memory address). The delegate's own checks therefore still run on every argument.
 */
public abstract class ForwardingBackend implements AutoCloseable {
    private final Backend delegate;
    private final Backend backend;
    private final Backend forwarded;
    private final Map<Long, Tensor> delegateTensors = new HashMap<>();
    private final Map<Method, Method> changed = new ConcurrentHashMap<>();

    protected ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
        this.backend = proxy(this::dispatch);
        this.forwarded = proxy(this::forward);
    }

    /** The double: this class's methods where it declares them, the delegate's otherwise. */
    public final Backend backend() {
        return backend;
    }

    /** The backend being changed. */
    public final Backend delegate() {
        return delegate;
    }

    /** The delegate's ops with results that name the double: what a changed op calls for the unchanged result. */
    protected final Backend forwarded() {
        return forwarded;
    }

    /** Closes the delegate (as closing {@link #backend()} does). */
    @Override
    public void close() {
        delegate.close();
    }

    /** A tensor of the double over the memory of {@code inner}, a fresh result of the delegate; takes ownership. */
    protected Tensor wrap(Tensor inner) {
        if (inner == null) return null;
        MemorySegment segment = inner.segment();
        long address = segment.address();
        synchronized (delegateTensors) {
            delegateTensors.put(address, inner);
        }
        Memory memory = new Memory(segment, inner.shape().bytes(), (freed, bytes) -> {
            synchronized (delegateTensors) {
                delegateTensors.remove(address, inner);
            }
            inner.close();
        });
        return new Tensor(inner.shape(), backend, memory);
    }

    /** The delegate's tensor behind {@code outer} (a view of it when {@code outer} is a view of another shape). */
    private Tensor unwrap(Tensor outer) {
        if (outer == null || outer.backend() != backend) return outer; // let the delegate report foreign tensors
        Tensor inner;
        synchronized (delegateTensors) {
            inner = delegateTensors.get(outer.segment().address());
        }
        if (inner == null) {
            throw new IllegalArgumentException(outer + " is not a live tensor of this forwarding backend");
        }
        return inner.shape().equals(outer.shape()) ? inner : inner.view(outer.shape());
    }

    private Backend proxy(InvocationHandler handler) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, handler);
    }

    private Object dispatch(Object proxy, Method method, Object[] args) throws Throwable {
        Method own = changed.computeIfAbsent(method, this::declaredChange);
        if (own != method) return invoke(own, this, args);
        if (method.isDefault()) return InvocationHandler.invokeDefault(proxy, method, args); // through the double's own ops
        return forward(proxy, method, args);
    }

    /** This double's method of {@code method}'s signature, or {@code method} itself when the double does not change it. */
    private Method declaredChange(Method method) {
        for (Class<?> type = getClass(); type != ForwardingBackend.class; type = type.getSuperclass()) {
            try {
                Method own = type.getDeclaredMethod(method.getName(), method.getParameterTypes());
                own.setAccessible(true); // doubles are often private nested classes
                return own;
            } catch (NoSuchMethodException e) {
                // not changed at this level
            }
        }
        return method;
    }

    private Object forward(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "toString" -> {
                if (method.getParameterCount() == 0) return getClass().getSimpleName() + "(" + delegate + ")";
            }
            case "equals" -> {
                if (method.getParameterCount() == 1) return proxy == args[0];
            }
            case "hashCode" -> {
                if (method.getParameterCount() == 0) return System.identityHashCode(proxy);
            }
            default -> {
            }
        }
        Object[] inner = args == null ? null : args.clone();
        if (inner != null) {
            for (int i = 0; i < inner.length; i++) inner[i] = unwrapArgument(inner[i]);
        }
        return wrapResult(invoke(method, delegate, inner));
    }

    private Object unwrapArgument(Object argument) {
        if (argument instanceof Tensor tensor) return unwrap(tensor);
        if (argument instanceof List<?> list && list.stream().allMatch(e -> e instanceof Tensor)) {
            return list.stream().map(e -> unwrap((Tensor) e)).toList();
        }
        return argument;
    }

    /** Wraps the tensors of a fresh result; when one wrap fails (a double refusing it), the others are freed too. */
    private Object wrapResult(Object result) throws ReflectiveOperationException {
        if (result instanceof Tensor tensor) return wrap(tensor);
        if (result instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(e -> e instanceof Tensor)) {
            return wrapAll(list.stream().map(Tensor.class::cast).toList());
        }
        if (result instanceof Record record) {
            RecordComponent[] components = record.getClass().getRecordComponents();
            Object[] values = new Object[components.length];
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < components.length; i++) {
                components[i].getAccessor().setAccessible(true);
                values[i] = components[i].getAccessor().invoke(record);
                if (values[i] instanceof Tensor tensor) tensors.add(tensor);
            }
            if (tensors.isEmpty()) return result;
            List<Tensor> wrapped = wrapAll(tensors);
            for (int i = 0, next = 0; i < values.length; i++) {
                if (values[i] instanceof Tensor) values[i] = wrapped.get(next++);
            }
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) types[i] = components[i].getType();
            var constructor = record.getClass().getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        }
        return result;
    }

    private List<Tensor> wrapAll(List<Tensor> inners) {
        List<Tensor> wrapped = new ArrayList<>(inners.size());
        try {
            for (Tensor inner : inners) wrapped.add(wrap(inner));
            return wrapped;
        } catch (RuntimeException | Error e) {
            wrapped.forEach(Tensor::close);
            inners.subList(wrapped.size() + 1, inners.size()).forEach(Tensor::close);
            throw e;
        }
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause(); // the op's own exception, as a direct call would throw it
        }
    }
}
