/**
 * How stage agents get threads: dedicated, shared or invoked by the application (the {@link
 * io.ferrite.engine.runtime.ThreadingMode}).
 */
package io.ferrite.engine.runtime;
